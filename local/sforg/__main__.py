"""python -m sforg: run the stand-in org server standalone and print how to reach it (JSON)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from pathlib import Path

from sforg import ConnectedApp, start_org_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sforg", description=__doc__)
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-dir", type=Path, default=Path(".local/sforg"))
    parser.add_argument("--no-persist", action="store_true", help="do not journal state changes in the state dir")
    parser.add_argument("--client-id", help="register a connected app with this client id")
    parser.add_argument("--client-secret", help="the connected app's client secret")
    parser.add_argument("--redirect-uri", action="append", default=[], help="an allowed redirect URI (repeatable)")
    parser.add_argument("--rotate-refresh-tokens", action="store_true")
    args = parser.parse_args(argv)
    apps = []
    if args.client_id:
        if not args.client_secret:
            parser.error("--client-secret is required with --client-id")
        apps.append(ConnectedApp(args.client_id, args.client_secret, args.redirect_uri, args.rotate_refresh_tokens))
    server = start_org_server(
        args.state_dir, port=args.port, host=args.host, connected_apps=apps, persist=not args.no_persist
    )
    print(json.dumps(server.describe(), indent=2, ensure_ascii=False), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
