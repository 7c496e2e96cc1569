"""``duty-console user …``: accounts headless, and how the command line logs in.

Open mode (no account with a password yet): commands act as before, and the first
``user add NAME --role admin`` needs no login — it ends open mode. Closed mode: a command that
writes logs in first, with ``--user NAME`` (the password is asked on the terminal, never taken
from the environment) or with a token in ``DUTY_CONSOLE_TOKEN`` (``user token NAME`` issues one;
only its digest is stored). ``--password-stdin`` reads a new password from standard input for
``user add`` and ``user passwd`` in scripts.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from console.domain import Role, User
from console.domain.errors import AuthenticationError, ValidationError
from console.timeutil import format_beijing

if TYPE_CHECKING:
    from console.services import Services

TOKEN_ENV = "DUTY_CONSOLE_TOKEN"
ROLES = [r.value for r in Role]

USER_EPILOG = """\
登录 (logging in, once accounts exist):
  --user NAME                 asks NAME's password on the terminal
  DUTY_CONSOLE_TOKEN=…        a token from `duty-console user token NAME`, for scripts
退出状态 (exit status): 6 = 未登录或无权限 (not logged in, or the role may not do this)
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``user add|list|passwd|unlock|role|disable|enable|token|tokens|revoke``."""
    parents = list(parents)
    user = subparsers.add_parser(
        "user",
        help="accounts and roles (the administrator's), CLI tokens",
        description="用户与角色 Accounts and roles. In closed mode these need the administrator "
        "(a user may change their own password and issue their own tokens).",
        epilog=USER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an account (asks the password)", parents=parents)
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display-name", metavar="TEXT", help="name shown (default: NAME)")
    add.add_argument("--phone", default="", help="telephone")
    add.add_argument("--password-stdin", action="store_true", help="read the password on stdin")
    listing = actions.add_parser("list", help="every account", parents=parents)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    passwd = actions.add_parser(
        "passwd", help="set a new password (your own: asks the old one)", parents=parents
    )
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--password-stdin", action="store_true", help="read it on stdin")
    for action, text in (
        ("unlock", "lift a lockout"),
        ("disable", "deactivate an account"),
        ("enable", "reactivate an account"),
    ):
        actions.add_parser(action, help=text, parents=parents).add_argument("name", metavar="NAME")
    role = actions.add_parser("role", help="give an account another role", parents=parents)
    role.add_argument("name", metavar="NAME")
    role.add_argument("role", choices=ROLES)
    token = actions.add_parser(
        "token", help="issue a token for scripts (printed once)", parents=parents
    )
    token.add_argument("name", metavar="NAME")
    token.add_argument("--label", default="script", help="what the token is for")
    tokens = actions.add_parser("tokens", help="list tokens (never the secrets)", parents=parents)
    tokens.add_argument("name", metavar="NAME", nargs="?")
    revoke = actions.add_parser("revoke", help="revoke a token by its number", parents=parents)
    revoke.add_argument("id", type=int, metavar="ID")


# --------------------------------------------------------------------------- logging in


def cli_user(services: Services, wanted: str | None) -> User:
    """Who this command acts as on a closed installation (asked once per process).

    The demo logs in by itself; else ``DUTY_CONSOLE_TOKEN``; else ``--user NAME`` (or
    ``DUTY_CONSOLE_OPERATOR``) with the password asked on the terminal.

    Raises:
        AuthenticationError: nobody named, a wrong password, a locked account or a bad token.
    """
    users = services.users
    if users.auto_login is not None:
        name = wanted if wanted in users.auto_login_names else users.auto_login
        return users.account(name).user
    token = os.environ.get(TOKEN_ENV, "").strip()
    name = wanted or os.environ.get("DUTY_CONSOLE_OPERATOR") or ""
    key = name or f"token:{token}"
    if key in users.cli_logins:
        return users.cli_logins[key]
    if token:
        user = users.token_user(token)
        if name and name != user.username:
            raise AuthenticationError(
                f"令牌属于 {user.username}，不是 {name} (the token belongs to {user.username})"
            )
    elif name:
        password = getpass.getpass(f"{name} 的密码 (password): ")
        user = users.authenticate(name, password, seat="cli")
    else:
        raise AuthenticationError(
            "已启用账号，请登录：--user NAME（输入密码）或设置 DUTY_CONSOLE_TOKEN "
            "(accounts are set up: log in with --user NAME, or DUTY_CONSOLE_TOKEN for scripts)"
        )
    users.cli_logins[key] = user
    return user


def _new_password(args: argparse.Namespace, name: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{name} 的新密码 (new password): ")
    second = getpass.getpass("再输入一次 (again): ")
    if first != second:
        raise ValidationError({"password": "两次输入的密码不一致 (the passwords differ)"})
    return first


def _actor(args: argparse.Namespace, services: Services) -> str:
    from console.app import resolve_operator

    return resolve_operator(services, getattr(args, "operator", None)).username


# --------------------------------------------------------------------------- commands


def run(args: argparse.Namespace, services: Services) -> int:
    """Carry out a ``user`` command."""
    users = services.users
    action = args.action
    if action == "add":
        role = Role(args.role)
        password = _new_password(args, args.name)
        # The first account (open mode) needs no login: it is the one that ends open mode.
        actor = _actor(args, services) if users.closed() else (args.operator or args.name)
        account = users.add(
            actor, args.name, args.display_name or args.name, role, password, args.phone
        )
        print(f"已创建账号 (account created): {account.username} [{account.role.value}]")
        return 0
    if action == "list":
        return _list(args, services)
    if action == "passwd":
        return _passwd(args, services)
    if action == "tokens":
        for t in users.tokens(args.name):
            state = "revoked" if t.revoked else "active"
            used = format_beijing(t.last_used_at) if t.last_used_at else "-"
            print(f"{t.id}\t{t.username}\t{t.name}\t{state}\tlast used {used}")
        return 0
    actor = _actor(args, services)
    if action == "unlock":
        users.unlock(actor, args.name)
    elif action in ("disable", "enable"):
        users.set_active(actor, args.name, action == "enable")
    elif action == "role":
        users.set_role(actor, args.name, Role(args.role))
    elif action == "token":
        secret = users.issue_token(actor, args.name, args.label)
        print(secret)
        print(
            f"令牌只显示这一次；脚本里设置 {TOKEN_ENV} (shown once; set {TOKEN_ENV} in scripts)",
            file=sys.stderr,
        )
        return 0
    elif action == "revoke":
        users.revoke_token(actor, args.id)
    print(f"完成 (done): user {action} {getattr(args, 'name', getattr(args, 'id', ''))}")
    return 0


def _list(args: argparse.Namespace, services: Services) -> int:
    accounts = services.users.accounts()
    if args.json:
        rows = [
            {
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role.value,
                "active": a.active,
                "has_password": a.has_password,
                "locked": a.locked(),
                "failed_logins": a.failed_logins,
            }
            for a in accounts
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    mode = "closed" if services.users.closed() else "open (no accounts yet)"
    print(f"# mode: {mode}")
    for a in accounts:
        flags = [
            "" if a.active else "disabled",
            "locked" if a.locked() else "",
            "" if a.has_password else "no-login",
        ]
        extra = ",".join(f for f in flags if f)
        print(f"{a.username}\t{a.role.value}\t{a.display_name}\t{extra}")
    return 0


def _passwd(args: argparse.Namespace, services: Services) -> int:
    users = services.users
    me = _actor(args, services) if users.closed() else None
    if me == args.name:  # one's own: prove the old one
        old = getpass.getpass(f"{args.name} 的旧密码 (current password): ")
        users.change_password(args.name, old, _new_password(args, args.name))
    else:
        users.reset_password(me or args.name, args.name, _new_password(args, args.name))
    print(f"已更改密码 (password changed): {args.name}")
    return 0
