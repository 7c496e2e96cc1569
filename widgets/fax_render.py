"""Render a document for faxing: PDF or image → 1728-pixel, 204×196 dpi Group 3 pages.

Run as its own process by the console (``console.services.fax.render_document``), which may
not import QtGui or QtPdf itself::

    python -m widgets.fax_render IN OUTDIR

PDFs are rendered by QtPdf (``QPdfDocument.render``) straight at fax resolution (204 dpi
across, 196 lines per inch down); PNG, JPEG and TIFF images are read by Pillow. Either way the
pages are fitted to the 1728-pixel scan line by :func:`devices.fax.g3.fit_to_pages` (A4 pages,
centred, threshold to black and white) and written to ``OUTDIR/pages.tif`` (multi-page,
CCITT Group 4, 204×196 dpi). The last stdout line is JSON: ``{"pages": N, "media_type": …,
"tiff": PATH}``. A file that cannot be faxed (empty, not a PDF or image, password-protected,
no pages, too many pages) exits with status 2 and one line on stderr saying why, in Chinese
and English.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from devices.fax.g3 import A4_HEIGHT, FINE_DPI, PAGE_WIDTH, fit_to_pages

EXIT_BAD_FILE = 2
MAX_PAGES = 200
MAX_BYTES = 100_000_000
PAGES_FILE = "pages.tif"

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


class BadDocument(Exception):
    """The file cannot be faxed; the message says why (Chinese, then English)."""


def media_type_of(head: bytes) -> str | None:
    """The media type a file's first bytes show, for the kinds a fax can take (else None)."""
    # A PDF may have a few bytes of junk before its header (the PDF spec allows 1024).
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def render(source: Path) -> tuple[str, list[Image.Image]]:
    """The media type of ``source`` and its fax pages (1-bit, 1728 × 2292).

    Raises:
        BadDocument: the file cannot be faxed (the message says why).
    """
    try:
        size = source.stat().st_size
        with source.open("rb") as f:
            head = f.read(1024)
    except OSError as exc:
        raise BadDocument(f"无法读取文件 (cannot read the file): {exc.strerror or exc}") from exc
    if size == 0:
        raise BadDocument("文件是空的 (the file is empty)")
    if size > MAX_BYTES:
        raise BadDocument(f"文件太大 (file too large): {size} > {MAX_BYTES} bytes")
    media_type = media_type_of(head)
    if media_type is None:
        raise BadDocument(
            "不支持的文件类型，只能发送 PDF、PNG、JPEG、TIFF "
            "(unsupported file: a fax is sent from a PDF, PNG, JPEG or TIFF)"
        )
    pages = _render_pdf(source) if media_type == "application/pdf" else _render_image(source)
    if not pages:
        raise BadDocument("文件中没有页面 (the document has no pages)")
    return media_type, pages


def _render_pdf(source: Path) -> list[Image.Image]:
    from PySide6.QtCore import QCoreApplication, QSize
    from PySide6.QtGui import QImage
    from PySide6.QtPdf import QPdfDocument

    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    document = QPdfDocument()
    error = document.load(str(source))
    if error == QPdfDocument.Error.IncorrectPassword:
        raise BadDocument("PDF 有密码保护，无法发送 (the PDF is password-protected)")
    if error != QPdfDocument.Error.None_ or document.status() != QPdfDocument.Status.Ready:
        raise BadDocument(f"PDF 文件损坏或无法打开 (the PDF cannot be read: {error.name})")
    count = document.pageCount()
    if count > MAX_PAGES:
        raise BadDocument(f"页数太多 (too many pages): {count} > {MAX_PAGES}")
    pages: list[Image.Image] = []
    for index in range(count):
        points = document.pagePointSize(index)
        width = points.width() * FINE_DPI[0] / 72
        height = points.height() * FINE_DPI[1] / 72
        if width <= 0 or height <= 0:
            raise BadDocument(f"第 {index + 1} 页大小无效 (page {index + 1} has no size)")
        shrink = min(1.0, PAGE_WIDTH / width)  # wider than the scan line (A3): scale down
        size = QSize(max(1, round(width * shrink)), max(1, round(height * shrink)))
        image = document.render(index, size)
        if image.isNull():
            raise BadDocument(f"第 {index + 1} 页无法渲染 (page {index + 1} did not render)")
        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
        data = bytes(image.constBits())
        rgba = Image.frombuffer(
            "RGBA", (image.width(), image.height()), data, "raw", "RGBA", image.bytesPerLine(), 1
        )
        pages.extend(fit_to_pages(rgba, source_dpi=FINE_DPI, page_height=A4_HEIGHT))
    document.close()
    return pages


def _render_image(source: Path) -> list[Image.Image]:
    pages: list[Image.Image] = []
    try:
        with Image.open(source) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PAGES:
                raise BadDocument(f"页数太多 (too many pages): {frames} > {MAX_PAGES}")
            for frame in range(frames):
                image.seek(frame)
                image.load()
                pages.extend(fit_to_pages(image))
    except (  # Pillow reports a damaged image with many kinds of exception
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        TypeError,
        KeyError,
        IndexError,
        EOFError,
        struct.error,
        Image.DecompressionBombError,
    ) as exc:
        raise BadDocument(f"图像文件损坏或无法读取 (the image cannot be read): {exc}") from exc
    return pages


def save_pages(pages: list[Image.Image], target: Path) -> None:
    """All pages as one multi-page Group 4 TIFF at 204×196 dpi."""
    pages[0].save(
        target,
        "TIFF",
        save_all=True,
        append_images=pages[1:],
        compression="group4",
        dpi=FINE_DPI,
    )


def main(argv: list[str] | None = None) -> int:
    """``IN OUTDIR``: render, write OUTDIR/pages.tif, print the JSON summary."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m widgets.fax_render IN OUTDIR", file=sys.stderr)
        return EXIT_BAD_FILE
    source, outdir = Path(args[0]), Path(args[1])
    try:
        media_type, pages = render(source)
    except BadDocument as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_FILE
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / PAGES_FILE
    save_pages(pages, target)
    print(json.dumps({"pages": len(pages), "media_type": media_type, "tiff": str(target)}))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
