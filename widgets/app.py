"""Starting the window: Qt application, crash handler, font, translations, database, main loop."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QThread, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from console.app import AppContext, build_context
from console.db.engine import default_url
from console.domain.errors import DatabaseError
from widgets import i18n
from widgets.collector import GuiThreadCollector
from widgets.fonts import load_cjk_font
from widgets.map.scheme import register_scheme

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from widgets.hall_display import HallDisplay
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

APP_NAME = "Duty Console"
ORG_NAME = "duty-console"
EXIT_DATABASE = 2
EXIT_CRASH = 70  # EX_SOFTWARE
EXIT_NOT_LOGGED_IN = 6  # closed mode and nobody logged in (as the command line's refusals)
SCREENSHOT_TIMEOUT_MS = 20_000


def _headless() -> bool:
    # Nobody can click a modal box on these platforms; it would only hang the process.
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def _show_error(title: str, text: str) -> None:
    if QApplication.instance() is not None and not _headless():
        QMessageBox.critical(None, title, text)


class CrashHandler:
    """``sys.excepthook`` for the GUI: log the error, tell the operator, stop cleanly.

    A slot that raised leaves the window in an unknown state; running on could show wrong data
    at a duty desk, so the program stops (queued writes still finish in ``ctx.close``).
    """

    def __init__(self) -> None:
        self.previous = sys.excepthook
        self.crashed = False

    def install(self) -> None:
        """Become ``sys.excepthook``."""
        sys.excepthook = self

    def uninstall(self) -> None:
        """Put the previous hook back."""
        if sys.excepthook is self:
            sys.excepthook = self.previous

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """Handle an exception nobody caught."""
        log.critical("unhandled error", exc_info=(exc_type, exc, tb))
        if self.crashed:
            return  # one report is enough; the loop is already stopping
        self.crashed = True
        if issubclass(exc_type, KeyboardInterrupt):
            if QThread.currentThread().loopLevel() > 0:
                QApplication.exit(130)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        print(details, file=sys.stderr)
        if QApplication.instance() is not None and not _headless():
            box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "")
            box.setWindowTitle(QApplication.translate("App", "程序错误"))
            box.setText(
                QApplication.translate(
                    "App", "程序遇到内部错误，将关闭。已保存的数据不会丢失。\n\n{error}"
                ).format(error=f"{exc_type.__name__}: {exc}")
            )
            box.setDetailedText(details)
            box.exec()
        if QThread.currentThread().loopLevel() > 0:
            # Outside a running loop exit() would end the next loop at once instead.
            QApplication.exit(EXIT_CRASH)


def _language(ctx: AppContext | None, wanted: str | None) -> str:
    """``--lang`` if given, else the user's remembered choice, else Chinese."""
    if wanted:
        return i18n.normalise(wanted)
    if ctx is None:
        return i18n.DEFAULT_LANGUAGE
    key = ctx.services.settings.user_key(ctx.actor, i18n.SETTING)
    try:
        # Startup, before any window exists: a short wait here blocks no interaction.
        stored = ctx.runner.read(ctx.services.settings.get, key).result(timeout=10)
    except Exception as exc:  # a missing preference must not stop the program
        log.warning("could not read the language preference: %s", exc)
        stored = None
    return i18n.normalise(stored)


def _remember_language(ctx: AppContext, lang: str) -> None:
    key = ctx.services.settings.user_key(ctx.actor, i18n.SETTING)
    ctx.runner.write(ctx.services.settings.put, key, lang)


def _arrange_screenshot(app: QApplication, window: MainWindow, path: str) -> None:
    """Grab the window to ``path`` once the board's first page is painted, then quit."""
    target = Path(path)
    done = False

    def grab() -> None:
        nonlocal done
        if done:
            return
        done = True
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target), "PNG"):
            log.error("could not write the screenshot %s", target)
            app.exit(1)
            return
        print(f"screenshot: {target}", file=sys.stderr)
        app.quit()

    def when_loaded(_rows: int) -> None:
        QTimer.singleShot(400, grab)  # let the table and docks paint

    board = window.board
    if board.first_page_loaded:
        when_loaded(0)
    else:
        window.board_model.page_loaded.connect(when_loaded)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, grab)


def _arrange_hall_screenshot(app: QApplication, hall: HallDisplay, path: str) -> None:
    """Grab the hall display to ``path`` once its first data are painted, then quit."""
    target = Path(path)
    done = False

    def grab() -> None:
        nonlocal done
        if done:
            return
        done = True
        target.parent.mkdir(parents=True, exist_ok=True)
        if not hall.grab().save(str(target), "PNG"):
            log.error("could not write the screenshot %s", target)
            app.exit(1)
            return
        print(f"screenshot: {target}", file=sys.stderr)
        app.quit()

    if hall.snapshot is not None:
        QTimer.singleShot(400, grab)
    else:
        hall.loaded.connect(lambda: QTimer.singleShot(400, grab))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, grab)


def _log_in(ctx: AppContext, username: str | None) -> bool:
    """Closed mode: ask who is working here; they act for every write of this window."""
    from widgets.login_dialog import LoginDialog

    if _headless():  # nobody can type a password here
        print(
            "duty-console: 已启用账号，需要登录；无显示器时无法登录 "
            "(accounts are set up: log in at a display)",
            file=sys.stderr,
        )
        return False
    dialog = LoginDialog(ctx, username or "")
    if dialog.exec() != LoginDialog.DialogCode.Accepted or dialog.user is None:
        return False
    ctx.operator = dialog.user
    return True


def run_gui(args: argparse.Namespace) -> int:
    """Run the workstation window (or, for ``hall``, the hall display); return the exit status."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        register_scheme()  # the map's app:// scheme; must precede the QApplication
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(QApplication.translate("App", "应急值守指挥台"))
    crash = CrashHandler()
    crash.install()
    collector = GuiThreadCollector(app)
    collector.start()
    try:
        return _run(app, args)
    finally:
        collector.stop()
        crash.uninstall()


def _run(app: QApplication, args: argparse.Namespace) -> int:
    load_cjk_font(app)
    wanted = getattr(args, "lang", None)
    translators = i18n.install_translator(app, i18n.normalise(wanted)) if wanted else []
    demo = bool(getattr(args, "demo", False))
    hall = getattr(args, "command", None) == "hall"
    url = getattr(args, "db", None) or default_url(demo=demo)
    try:
        # The hall display only reads: no operator account, no alarms logged, no preferences.
        ctx = build_context(
            url, operator=getattr(args, "operator", None), demo=demo, read_only=hall
        )
    except DatabaseError as exc:
        print(f"duty-console: {exc}", file=sys.stderr)
        _show_error(
            QApplication.translate("App", "无法打开数据库"),
            QApplication.translate("App", "无法打开数据库：\n{error}").format(error=exc),
        )
        return EXIT_DATABASE
    try:
        lang = _language(ctx, wanted) if not hall else i18n.normalise(wanted)
        if wanted and not hall:
            _remember_language(ctx, lang)
        elif not wanted:
            translators = i18n.install_translator(app, lang)
        # Qt appends the display name to window titles: it must be in the chosen language too.
        app.setApplicationDisplayName(QApplication.translate("App", "应急值守指挥台"))
        ctx.services.reference.set_language("en" if lang == "en" else "zh")
        screenshot = getattr(args, "screenshot", None)
        window: QWidget
        if hall:
            from widgets.hall_display import HallDisplay, screen_at

            display = HallDisplay(ctx, report_path=getattr(args, "report_file", None))
            full_screen = not getattr(args, "windowed", False) and not screenshot
            display.show_on(screen_at(getattr(args, "screen", None)), full_screen=full_screen)
            window = display
            if screenshot:
                _arrange_hall_screenshot(app, display, str(screenshot))
        else:
            from widgets.main_window import MainWindow

            if ctx.login_required and not _log_in(ctx, getattr(args, "operator", None)):
                return EXIT_NOT_LOGGED_IN
            main_window = MainWindow(ctx)
            main_window.show()
            ctx.monitor.start()
            if not screenshot:
                _start_backup_scheduler(ctx, main_window)
            window = main_window
            if screenshot:
                _arrange_screenshot(app, main_window, str(screenshot))
        status = app.exec()
        # Closing the last window would post one more Quit event; when run_gui is called in a
        # process that goes on (tests), that stray event would end the next event loop at once.
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)
        window.close()
        window.deleteLater()
        # Delete the window now: its timers must not fire once the context below is closed.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.setQuitOnLastWindowClosed(quit_on_close)
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
        return status
    finally:
        ctx.close()
        for translator in translators:
            app.removeTranslator(translator)


def _start_backup_scheduler(ctx: AppContext, window: QMainWindow) -> None:
    """The day's scheduled backup (系统 → 自动备份…), made in a thread of its own."""
    from console.backup_schedule import BackupScheduler

    url = ctx.services.db.engine.url.render_as_string(hide_password=False)
    scheduler = BackupScheduler(ctx.services, url, parent=window)
    scheduler.failed.connect(
        lambda message: window.statusBar().showMessage(
            QCoreApplication.translate("MainWindow", "自动备份失败：{message}").format(
                message=message
            ),
            60_000,
        )
    )
    ctx.extra["backup_scheduler"] = scheduler
    scheduler.start()
