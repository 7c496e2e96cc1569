"""Fax pages as Group 3 data: images to 1728-pixel bilevel pages, T.4 MH phase-C bytes, TIFF.

Phase C (what a Class 2.0 modem takes and gives) is T.4 one-dimensional Modified Huffman,
each line starting with an EOL, the page ending in RTC, and bits sent least significant first
(TIFF FillOrder 2). Encoding is Pillow's (libtiff's) Group 3 writer; the received side wraps
the modem's bytes unchanged in a TIFF (FillOrder 2) that Pillow, libtiff and fax viewers open.

>>> pages = fit_to_pages(Image.open("notice.png"))  # doctest: +SKIP
>>> data = [encode_page(page) for page in pages]  # doctest: +SKIP
>>> write_tiff(data, "received.tif")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import re
import struct
from collections.abc import Sequence
from typing import BinaryIO

from PIL import Image, ImageOps, TiffImagePlugin

PAGE_WIDTH = 1728  # pixels on a 215 mm scan line at 204 dpi (ITU T.4, A4 and Letter)
A4_HEIGHT = 2292  # lines of an A4 page (297 mm) at 196 lpi ("fine")
A4_WIDTH = 1686  # pixels of A4's 210 mm at 204 dpi, centred on the 215 mm line
TRIM_LINES = 8  # a rounding sliver past a page end (about 1 mm) is dropped
FINE_DPI = (204, 196)
NORMAL_DPI = (204, 98)

_EOL = "000000000001"
_RTC = _EOL * 6
# T.4: an EOL "can never be found within a valid line of data", so 11+ zeros and a 1 split lines.
_EOL_RE = re.compile("0{11,}1")
_REVERSE = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))
_LSB_BITS = tuple(f"{i:08b}"[::-1] for i in range(256))


def reverse_bits(data: bytes) -> bytes:
    """Each byte with its bit order reversed (FillOrder 1 ↔ 2)."""
    return data.translate(_REVERSE)


def fit_to_pages(
    image: Image.Image,
    *,
    page_height: int | None = A4_HEIGHT,
    source_dpi: tuple[float, float] | None = None,
    fine: bool = True,
    dither: bool = False,
) -> list[Image.Image]:
    """Scale ``image`` onto 1728-pixel fax lines and cut it into bilevel pages.

    With ``source_dpi`` (x, y) or a dpi in the image, the picture keeps its physical size
    (204×196 dpi, 204×98 when not ``fine``); without one it is taken to be A4 wide (210 mm).
    Either way it shrinks to fit the 215 mm line and is centred on it. ``page_height`` cuts
    tall images into pages, padding the last with white (a sliver of at most
    ``TRIM_LINES`` lines past a page end is dropped, so rounding never makes an empty page);
    None gives one page as long as the image. Text stays crisp with a plain threshold;
    ``dither`` suits photographs.
    """
    grey = image.convert("L")
    if "A" in image.getbands():  # transparent means paper
        paper = Image.new("L", image.size, 255)
        paper.paste(grey, mask=image.getchannel("A"))
        grey = paper
    lines_per_inch = FINE_DPI[1] if fine else NORMAL_DPI[1]
    dpi = source_dpi or image.info.get("dpi")
    if dpi and dpi[0] and dpi[1]:
        scale_x = FINE_DPI[0] / float(dpi[0])
        scale_y = lines_per_inch / float(dpi[1])
    else:
        scale_x = A4_WIDTH / grey.width
        scale_y = scale_x * lines_per_inch / FINE_DPI[0]
    if grey.width * scale_x > PAGE_WIDTH:
        shrink = PAGE_WIDTH / (grey.width * scale_x)
        scale_x, scale_y = scale_x * shrink, scale_y * shrink
    width = max(1, min(PAGE_WIDTH, round(grey.width * scale_x)))
    height = max(1, round(grey.height * scale_y))
    if page_height and height > page_height and height % page_height <= TRIM_LINES:
        height -= height % page_height
    scaled = grey.resize((width, round(grey.height * scale_y)), Image.Resampling.LANCZOS)
    mode = Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE
    bilevel = Image.new("1", (PAGE_WIDTH, height), 255)
    bilevel.paste(scaled.convert("1", dither=mode), ((PAGE_WIDTH - width) // 2, 0))
    if page_height is None:
        return [bilevel]
    pages = []
    for top in range(0, height, page_height):
        page = Image.new("1", (PAGE_WIDTH, page_height), 255)
        page.paste(bilevel.crop((0, top, PAGE_WIDTH, min(height, top + page_height))), (0, 0))
        pages.append(page)
    return pages


def encode_page(page: Image.Image) -> bytes:
    """One bilevel page as T.4 MH phase-C bytes, LSB first, ending in RTC.

    ValueError when the page is not 1728 pixels wide.
    """
    if page.width != PAGE_WIDTH:
        raise ValueError(f"a fax page is {PAGE_WIDTH} pixels wide, not {page.width}")
    bilevel = page if page.mode == "1" else page.convert("1", dither=Image.Dither.NONE)
    # Pillow stores "1" as BlackIsZero and libtiff's coder codes 0 bits as white runs, so the
    # page is inverted first: white pixels become 0 bits and are coded as white, as T.4 wants.
    inverted = ImageOps.invert(bilevel.convert("L")).convert("1", dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    inverted.save(buffer, "TIFF", compression="group3", strip_size=1 << 30)  # one strip
    with TiffImagePlugin.TiffImageFile(io.BytesIO(buffer.getvalue())) as tiff:
        tags = tiff.tag_v2
        offsets, counts = tags[273], tags[279]
        fill_order = tags.get(266, 1)
    raw = buffer.getvalue()
    data = b"".join(raw[o : o + n] for o, n in zip(offsets, counts, strict=True))
    data = data if fill_order == 2 else reverse_bits(data)
    if _RTC not in _bits(data[-12:]):
        data += _rtc_bytes()
    return data


def _bits(data: bytes) -> str:
    return "".join(_LSB_BITS[b] for b in data)


def _rtc_bytes() -> bytes:
    bits = _RTC + "0" * (-len(_RTC) % 8)
    return bytes(int(bits[i : i + 8][::-1], 2) for i in range(0, len(bits), 8))


def count_rows(data: bytes, *, two_d: bool = False) -> int:
    """Scan lines in phase-C ``data`` (LSB first): the EOL-separated lines before RTC."""
    rows = 0
    for index, segment in enumerate(_EOL_RE.split(_bits(data))):
        body = segment.rstrip("0")
        if two_d and body == "1":  # EOL+1 with nothing after: part of RTC
            body = ""
        if body:
            rows += 1
        elif index > 0 and rows:
            break  # two EOLs in a row: RTC, the end of the page
    return rows


def write_tiff(
    pages: Sequence[bytes],
    target: str | os.PathLike[str] | BinaryIO,
    *,
    fine: bool = True,
    two_d: bool = False,
    width: int = PAGE_WIDTH,
) -> None:
    """Wrap received phase-C pages, unchanged, in one multi-page TIFF (class F style).

    ValueError when a page has no scan lines.
    """
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    link = 4  # where the offset of the next IFD goes
    y_dpi = FINE_DPI[1] if fine else NORMAL_DPI[1]
    for number, data in enumerate(pages):
        rows = count_rows(data, two_d=two_d)
        if rows == 0:
            raise ValueError(f"page {number + 1} has no scan lines")
        strip = len(out)
        out += data + b"\x00" * (len(data) % 2)
        resolution = len(out)
        out += struct.pack("<IIII", FINE_DPI[0], 1, y_dpi, 1)
        ifd = len(out)
        struct.pack_into("<I", out, link, ifd)
        short, long_, rational = 3, 4, 5
        entries = [
            (254, long_, 1, struct.pack("<I", 2)),  # NewSubfileType: one page of many
            (256, long_, 1, struct.pack("<I", width)),
            (257, long_, 1, struct.pack("<I", rows)),
            (258, short, 1, struct.pack("<HH", 1, 0)),  # BitsPerSample
            (259, short, 1, struct.pack("<HH", 3, 0)),  # Compression: CCITT T.4
            (262, short, 1, struct.pack("<HH", 0, 0)),  # Photometric: WhiteIsZero
            (266, short, 1, struct.pack("<HH", 2, 0)),  # FillOrder: LSB first, as on the wire
            (273, long_, 1, struct.pack("<I", strip)),
            (277, short, 1, struct.pack("<HH", 1, 0)),  # SamplesPerPixel
            (278, long_, 1, struct.pack("<I", rows)),
            (279, long_, 1, struct.pack("<I", len(data))),
            (282, rational, 1, struct.pack("<I", resolution)),
            (283, rational, 1, struct.pack("<I", resolution + 8)),
            (292, long_, 1, struct.pack("<I", 1 if two_d else 0)),  # T4Options
            (296, short, 1, struct.pack("<HH", 2, 0)),  # ResolutionUnit: inch
            (297, short, 2, struct.pack("<HH", number, len(pages))),  # PageNumber
        ]
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            out += struct.pack("<HHI", tag, kind, count) + value
        link = len(out)
        out += b"\x00\x00\x00\x00"
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as fp:
            fp.write(out)
    else:
        target.write(out)


def read_pages(source: str | os.PathLike[str] | BinaryIO) -> list[Image.Image]:
    """Every page of a (multi-page) image file as a bilevel 1728-wide page image."""
    pages: list[Image.Image] = []
    with Image.open(source) as image:
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            page = image.convert("1", dither=Image.Dither.NONE)
            if page.width != PAGE_WIDTH:
                pages.extend(fit_to_pages(image, page_height=None))
            else:
                pages.append(page)
    return pages
