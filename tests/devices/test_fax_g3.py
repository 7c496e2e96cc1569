"""Group 3 pages: rendering, MH encoding LSB first, and received data wrapped in a TIFF."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw, TiffImagePlugin

from devices.fax import g3
from devices.fax.class2 import stuff


def make_page(seed: int = 0) -> Image.Image:
    """An A4 fine page with text, lines, boxes and a DLE-rich pattern."""
    page = Image.new("1", (g3.PAGE_WIDTH, g3.A4_HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    for i in range(30):
        draw.text(
            (80 + seed * 7, 60 + i * 70), f"Line {i} of page {seed}: road closed at km 12", fill=0
        )
    draw.line((0, 400, g3.PAGE_WIDTH - 1, 900 + seed * 10), fill=0, width=3)
    draw.rectangle((300, 1500, 900 + seed, 2000), outline=0, width=5)
    for x in range(0, g3.PAGE_WIDTH, 16):  # many short runs
        draw.line((x, 2100, x, 2200), fill=0, width=1 + x % 3)
    return page


def test_round_trip_gives_identical_pixels():
    pages = [make_page(0), make_page(1)]
    data = [g3.encode_page(page) for page in pages]
    out = io.BytesIO()
    g3.write_tiff(data, out)
    out.seek(0)
    with Image.open(out) as tiff:
        assert tiff.n_frames == 2
        assert tiff.info["dpi"] == (204.0, 196.0)
        assert tiff.tag_v2[266] == 2  # FillOrder: LSB first, as on the wire
        assert tiff.tag_v2[259] == 3  # CCITT Group 3
        for number, page in enumerate(pages):
            tiff.seek(number)
            assert tiff.size == (1728, 2292)
            assert tiff.convert("1").tobytes() == page.tobytes()


def test_phase_c_is_lsb_first_mh_with_eols_and_rtc():
    data = g3.encode_page(Image.new("1", (1728, 3), 255))
    # EOL 000000000001 sent first-bit-first is 0x00 then a byte whose bit 3 is the 1
    assert data[0] == 0x00
    assert data[1] & 0x0F == 0x08
    # white row: EOL, white 1728 makeup 010011011, white 0 terminating 00110101
    bits = "".join(f"{b:08b}"[::-1] for b in data)
    assert bits.startswith("000000000001" + "010011011" + "00110101" + "000000000001")
    assert bits.rstrip("0").endswith("000000000001" * 6)  # RTC
    assert g3.count_rows(data) == 3


def test_count_rows_of_an_a4_page():
    assert g3.count_rows(g3.encode_page(make_page())) == 2292


def test_dle_bytes_survive_stuffing():
    data = g3.encode_page(make_page())
    assert b"\x10" in data  # the page really exercises the stuffing
    stuffed = stuff(data)
    assert stuffed.replace(b"\x10\x10", b"\x10") == data


def test_encode_refuses_other_widths():
    with pytest.raises(ValueError, match="1728"):
        g3.encode_page(Image.new("1", (1000, 10), 255))


def test_write_tiff_refuses_a_page_without_lines():
    with pytest.raises(ValueError, match="no scan lines"):
        g3.write_tiff([b"\x00\x00\x00"], io.BytesIO())


def test_fit_to_pages_scales_to_fax_width_and_cuts_a4_pages():
    # a 150 dpi A4 scan (1240×1754) fits one fine page; twice as long makes two
    scan = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(scan).rectangle((100, 100, 1100, 1600), outline="black", width=8)
    pages = g3.fit_to_pages(scan)
    assert len(pages) == 1
    assert pages[0].size == (1728, 2292)
    assert pages[0].mode == "1"
    long_scan = Image.new("L", (1240, 1754 * 2), 255)
    assert len(g3.fit_to_pages(long_scan)) == 2
    normal = g3.fit_to_pages(scan, page_height=None, fine=False)
    assert normal[0].size == (1728, round(1754 * 1686 / 1240 * 98 / 204))
    at_dpi = g3.fit_to_pages(scan, source_dpi=(150, 150))
    assert len(at_dpi) == 1
    # the picture is 1686 wide, centred: the 21-pixel margins stay white
    assert at_dpi[0].crop((0, 0, 20, 2292)).getextrema() == (255, 255)


def test_fit_keeps_black_ink_black():
    scan = Image.new("L", (864, 100), 255)
    ImageDraw.Draw(scan).rectangle((0, 0, 431, 99), fill=0)
    page = g3.fit_to_pages(scan, page_height=None)[0]
    assert page.getpixel((100, 50)) == 0
    assert page.getpixel((1600, 50)) == 255
    assert page.getpixel((5, 50)) == 255  # margin of the 215 mm line


@pytest.mark.skipif(shutil.which("gs") is None, reason="ghostscript is not installed")
def test_ghostscript_pages_wrap_unchanged(tmp_path):
    """An independent encoder (Ghostscript's tiffg3) → our TIFF wrapper → same pixels."""
    ps = tmp_path / "page.ps"
    ps.write_text(
        "%!PS\n/Helvetica findfont 40 scalefont setfont 72 700 moveto (Duty fax 123) show\n"
        "5 setlinewidth 50 50 moveto 500 600 lineto stroke showpage\n"
    )
    source = tmp_path / "gs.tif"
    subprocess.run(
        [
            "gs",
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=tiffg3",
            "-r204x196",
            "-sPAPERSIZE=a4",
            f"-sOutputFile={source}",
            str(ps),
        ],
        check=True,
        timeout=30,
    )
    raw = source.read_bytes()
    with TiffImagePlugin.TiffImageFile(io.BytesIO(raw)) as tiff:
        strips = b"".join(
            raw[o : o + n] for o, n in zip(tiff.tag_v2[273], tiff.tag_v2[279], strict=True)
        )
        phase_c = g3.reverse_bits(strips) if tiff.tag_v2.get(266, 1) == 1 else strips
        expected = tiff.convert("1").tobytes()
    assert g3.count_rows(phase_c) == 2292
    out = tmp_path / "wrapped.tif"
    g3.write_tiff([phase_c], out)
    with Image.open(out) as wrapped:
        assert wrapped.convert("1").tobytes() == expected
