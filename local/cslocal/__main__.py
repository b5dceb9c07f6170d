"""``python -m cslocal``: run the local stack until Ctrl-C."""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import sys
import threading
from pathlib import Path

from cslocal import demo
from cslocal import stack as local_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cslocal", description="Run CS Platform locally, without Docker.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root (holds template.yaml)")
    parser.add_argument("--port", type=int, default=3000, help="API port (0: any free port)")
    parser.add_argument("--aws-port", type=int, default=0, help="embedded AWS port (0: any free port)")
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="where stack.json and the data (aws-state.sqlite) live"
    )
    parser.add_argument("--no-persist", action="store_true", help="start empty and keep nothing")
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--schedule-poll-seconds", type=float, default=5.0)
    parser.add_argument("--salesforce-port", type=int, default=8443, help="stand-in Salesforce org (0: any free port)")
    parser.add_argument("--no-bootstrap", action="store_true", help="no demo tenant (templates without tenant tables)")
    parser.add_argument(
        "--demo-data",
        action="store_true",
        help="give a new demo tenant a synced Salesforce connection, teams, a permission rule and a bulk job",
    )
    args = parser.parse_args(argv)

    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    running = local_stack.start(
        args.root.resolve(),
        port=args.port,
        aws_port=args.aws_port,
        state_dir=args.state_dir,
        persist=not args.no_persist,
        template_file=args.template,
        schedule_poll_seconds=args.schedule_poll_seconds,
        bootstrap=not args.no_bootstrap,
        salesforce_port=args.salesforce_port,
    )
    info = running.info
    if args.demo_data and "tenantId" in info:
        print("Seeding the demo tenant (a connection synced with the stand-in org, teams, a rule)…", flush=True)
        try:
            demo.seed(info)
        except demo.DemoError as error:
            print(f"  demo data incomplete: {error}", flush=True)
    lines = [
        f"CS Platform local stack is up\n  API:        {info['apiUrl']}",
        f"  AWS:        {info['awsEndpointUrl']}",
    ]
    if "salesforce" in info:
        sf = info["salesforce"]
        lines.append(f"  Salesforce: {sf['url']} (stand-in org; CA {sf['caBundle']})")
        lines += [f"    org {o['orgId']} {o['name']}: {o['username']} / {o['password']}" for o in sf["orgs"]]
    if "tenantId" in info:
        lines += [
            f"  console:    {info['apiUrl']}/admin/ (sign in with the access key)",
            f"  tenant:     {info['tenantId']}",
            f"  access key: {info['accessKey']}",
        ]
    lines.append(f"  (all of it in {(args.state_dir or args.root / '.local') / 'stack.json'}; Ctrl-C stops)")
    print("\n".join(lines), flush=True)
    done.wait()
    # Stopping should take seconds; if it does not, show where it is stuck.
    faulthandler.dump_traceback_later(10, exit=False)
    running.stop()
    faulthandler.cancel_dump_traceback_later()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is stopped and every change is already committed to the state file
    # before it was answered. Tearing down the embedded services' in-memory data at exit
    # only costs time (tens of seconds once the stack holds a lot), so skip it.
    os._exit(code)
