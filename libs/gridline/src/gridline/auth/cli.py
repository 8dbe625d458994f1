"""`gridline-token`: make a local signing key and issue tokens for a role and jurisdiction."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridline.auth.issuer import issue_token, make_keys
from gridline.auth.principal import Role, valid_jurisdiction

DEFAULT_DIR = Path(".local/auth")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gridline-token", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="write a new local signing key and its JWKS")
    keygen.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    issue = sub.add_parser("issue", help="print a signed token")
    issue.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    issue.add_argument("--sub", required=True, help="the user's id, e.g. worker-001")
    issue.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    issue.add_argument("--jurisdiction", required=True, help="division-code prefix (2/4/6/9/12 digits) or grid:<id>")
    issue.add_argument("--issuer", default="gridline-local")
    issue.add_argument("--audience", default="gridline")
    issue.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        print(make_keys(args.dir))
        return
    if not valid_jurisdiction(args.jurisdiction):
        parser.error("--jurisdiction must be a 2/4/6/9/12-digit division code or grid:<id>")
    print(
        issue_token(
            args.dir,
            subject=args.sub,
            roles=args.role,
            jurisdiction=args.jurisdiction,
            issuer=args.issuer,
            audience=args.audience,
            ttl_seconds=args.ttl,
        )
    )
