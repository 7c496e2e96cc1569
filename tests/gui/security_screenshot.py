"""Save screenshots of the login dialog and the accounts screen: ``python … DB_URL OUT_DIR``.

Run on an X server (Xvfb) over a demo database: the demo's accounts exist, the administrator
opens 系统 → 用户与角色…. Makes docs/screenshots/login.png and docs/screenshots/users.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from widgets.fonts import load_cjk_font
from widgets.login_dialog import LoginDialog
from widgets.users_dialog import UsersDialog


def main(argv: list[str]) -> int:
    url, out = argv[0], Path(argv[1])
    app = QApplication(sys.argv[:1])
    load_cjk_font(app)
    ctx = build_context(
        url, operator="admin", demo=True, monitor_interval_ms=3_600_000, devices=False
    )
    try:
        login = LoginDialog(ctx, "zhangwei")
        login.credentials.message.setText("用户名或密码错误 (wrong user name or password)")
        login.show()
        dialog = UsersDialog(ctx)
        dialog.show()

        def grab() -> None:
            out.mkdir(parents=True, exist_ok=True)
            login.grab().save(str(out / "login.png"), "PNG")
            if dialog.table.rowCount():
                dialog.select("zhangwei")
            dialog.grab().save(str(out / "users.png"), "PNG")
            app.quit()

        QTimer.singleShot(1500, grab)
        return app.exec()
    finally:
        ctx.close()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
