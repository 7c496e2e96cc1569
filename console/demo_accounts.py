"""The demo's accounts, one per role, with a password printed in the README (demo only)."""

from __future__ import annotations

from console import security
from console.domain import Role
from console.services import Services

DEMO_PASSWORD = "Demo-2026-duty"  # printed in the README: for the demo database only
DEMO_OFFICER = "zhangwei"  # --demo logs in as this duty officer

# username, display name, role
DEMO_ACCOUNTS: list[tuple[str, str, Role]] = [
    ("admin", "系统管理员", Role.ADMIN),  # first: the first account must be an administrator
    (DEMO_OFFICER, "张伟", Role.OFFICER),
    ("lijianguo", "李建国", Role.LEADER),
    ("jiandu", "大厅监督", Role.SUPERVISOR),
    ("shenji", "审计员", Role.AUDITOR),
]


def seed_demo_accounts(services: Services) -> None:
    """Give the demo its accounts unless they exist (safe to call on every start)."""
    with security.unchecked():
        existing = {a.username: a for a in services.users.accounts()}
        for username, name, role in DEMO_ACCOUNTS:
            account = existing.get(username)
            if account is not None and account.has_password:
                continue
            services.users.add("system", username, name, role, DEMO_PASSWORD)
    services.users.auto_login = DEMO_OFFICER
    services.users.auto_login_names = frozenset(name for name, _label, _role in DEMO_ACCOUNTS)
