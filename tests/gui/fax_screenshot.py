"""Save a screenshot of the fax inbox with a received fax: ``python … DB_URL OUT.png [en]``.

Run on an X server (Xvfb): files the sample notice (devices.fax.sample, G3-coded as a modem
delivers it) and a second fax in the inbox, opens the main window with the 传真 dock raised,
waits for the preview of the newest fax and grabs the window. Used by tests/gui/test_fax.py
and to make docs/screenshots/fax-inbox.png.
"""

from __future__ import annotations

import io
import sys

from PIL import Image, ImageDraw
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_context
from console.services import Services
from devices.fax.g3 import encode_page, write_tiff
from devices.fax.sample import notice_page
from widgets import i18n
from widgets.fonts import load_cjk_font
from widgets.main_window import MainWindow


def received_tiff(pages: list[Image.Image]) -> bytes:
    """Pages as a modem delivers them: T.4 MH data in a FillOrder 2 TIFF."""
    out = io.BytesIO()
    write_tiff([encode_page(p) for p in pages], out)
    return out.getvalue()


def file_faxes(services: Services) -> None:
    """An older short fax and the sample notice (newest)."""
    memo = Image.new("1", (1728, 1100), 1)
    draw = ImageDraw.Draw(memo)
    draw.rectangle((100, 100, 1628, 1000), outline=0, width=6)
    draw.line((100, 300, 1628, 300), fill=0, width=4)
    services.fax.receive("system", "传真1", received_tiff([memo]), "+86 432 6201 5678")
    services.fax.receive("system", "传真1", received_tiff([notice_page()]), "+86 431 8890 1234")


def main(argv: list[str]) -> int:
    url, out = argv[0], argv[1]
    app = QApplication(sys.argv[:1])
    load_cjk_font(app)
    if len(argv) > 2:
        i18n.install_translator(app, i18n.normalise(argv[2]))
    ctx = build_context(
        url, operator="zhangwei", demo=True, monitor_interval_ms=3_600_000, devices=False
    )
    file_faxes(ctx.services)
    window = MainWindow(ctx)
    window.resize(1600, 1000)
    window.show()
    window.fax_dock.raise_()
    window.resizeDocks([window.fax_dock], [620], Qt.Orientation.Vertical)
    status = {"code": 1}
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(app.quit)
    deadline.start(60_000)
    inbox = window.fax_pane.inbox

    def poll() -> None:
        preview = inbox.preview_label.pixmap()
        if preview is None or preview.isNull():
            QTimer.singleShot(50, poll)
            return
        QTimer.singleShot(300, grab)  # let it paint

    def grab() -> None:
        status["code"] = 0 if window.grab().save(out) else 1
        app.quit()

    QTimer.singleShot(100, poll)
    app.exec()
    window.close()
    ctx.close()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
