"""``make mail``: the e-mails the local stack has sent (its embedded SES outbox)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import requests

from cslocal.aws_server import SENT_MAIL_PATH


def sent_mail(aws_endpoint: str) -> list[dict[str, Any]]:
    """Every message sent through the embedded SES, oldest first."""
    return list(requests.get(f"{aws_endpoint}{SENT_MAIL_PATH}", timeout=30).json())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cslocal.mail", description=__doc__)
    parser.add_argument("--stack-file", type=Path, default=Path(".local/stack.json"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if not args.stack_file.exists():
        print(f"no local stack described in {args.stack_file}: start it with make run", file=sys.stderr)
        return 1
    messages = sent_mail(json.loads(args.stack_file.read_text())["awsEndpointUrl"])
    if args.json:
        print(json.dumps(messages, indent=2, ensure_ascii=False))
        return 0
    for message in messages:
        print(f"From: {message['from']}\nTo: {', '.join(message['to'])}\nSubject: {message['subject']}\n")
        print(f"{message['body']}\n{'-' * 60}")
    print(f"{len(messages)} message(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
