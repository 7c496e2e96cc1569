"""Class2Fax end-to-end against the fake Class 2.0 fax modem on a pty (devices/sim/faxmodem.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw

from devices.errors import DeviceError, DeviceTimeout, ProtocolError
from devices.fax import g3
from devices.fax.class2 import Class2Fax
from devices.transport import SerialSettings, open_transport


def page(number: int) -> Image.Image:
    image = Image.new("1", (g3.PAGE_WIDTH, g3.A4_HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    for i in range(25):
        draw.text((100, 80 + i * 80), f"Page {number}, line {i}: flood warning level II", fill=0)
    draw.line((0, 300 * number, g3.PAGE_WIDTH - 1, 2000), fill=0, width=4)
    draw.rectangle((200, 1200, 1500, 1800 - number * 100), outline=0, width=6)
    return image


def start(sims, tmp_path, **kwargs):
    outdir = tmp_path / "received"
    sim = sims.start("faxmodem", baud=0, extra=("--outdir", str(outdir), "--ring-interval", "0.2"))
    settings = SerialSettings(timeout=0.5)
    fax = Class2Fax(open_transport(sim.url, settings), local_id="DUTY 1", **kwargs)
    return sim, fax


def state(sim):
    return json.loads(sim.control("state").split(" ", 2)[2])


def test_send_two_pages_saved_with_the_same_pixels(sims, tmp_path):
    sim, fax = start(sims, tmp_path)
    pages = [page(1), page(2)]
    result = fax.send("04318888", [g3.encode_page(p) for p in pages])
    assert result.pages == 2
    assert result.remote_id == "+86 431 0000 0000"
    seen = state(sim)
    assert seen["errors"] == []
    assert seen["fhs"] == "00"
    assert seen["pages"] == 2
    assert seen["local_id"] == "DUTY 1"
    for path, sent in zip(seen["files"], pages, strict=True):
        with Image.open(path) as saved:
            assert saved.size == (1728, 2292)
            assert saved.convert("1").tobytes() == sent.tobytes()
    fax.transport.close()


@pytest.mark.skipif(shutil.which("gs") is None, reason="ghostscript is not installed")
def test_send_a_ghostscript_encoded_page(sims, tmp_path):
    """Pages from an independent G3 encoder go through and decode the same."""
    ps = tmp_path / "p.ps"
    ps.write_text(
        "%!PS\n/Times-Roman findfont 36 scalefont setfont 72 720 moveto (Order 7) show\n"
        "4 setlinewidth 72 72 moveto 540 720 lineto stroke showpage\n"
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
    with Image.open(source) as original:
        expected = original.convert("1")
    sim, fax = start(sims, tmp_path)
    fax.send("04318888", [g3.encode_page(expected)])
    with Image.open(state(sim)["files"][0]) as saved:
        assert saved.convert("1").tobytes() == expected.tobytes()
    fax.transport.close()


def test_hangup_status_failure(sims, tmp_path):
    sim, fax = start(sims, tmp_path)
    sim.control("fail fhs 50")
    with pytest.raises(ProtocolError) as err:
        fax.send("04318888", [g3.encode_page(page(1))])
    assert err.value.code == "50"
    assert state(sim)["fhs"] == "50"
    sim.control("fail none")
    assert fax.send("04318888", [g3.encode_page(page(1))]).pages == 1
    fax.transport.close()


@pytest.mark.parametrize("where", ["dial", "page"])
def test_no_carrier(sims, tmp_path, where):
    sim, fax = start(sims, tmp_path)
    sim.control(f"fail nocarrier {where}")
    with pytest.raises(DeviceError, match="NO CARRIER") as err:
        fax.send("04318888", [g3.encode_page(page(1)), g3.encode_page(page(2))])
    assert not isinstance(err.value, ProtocolError)
    assert state(sim)["pages"] == (1 if where == "page" else 0)
    fax.transport.close()


def test_silence_is_a_timeout(sims, tmp_path):
    sim, fax = start(sims, tmp_path, timeout=0.3)
    sim.control("silent")
    with pytest.raises(DeviceTimeout):
        fax.send("04318888", [g3.encode_page(page(1))])
    fax.transport.close()


def test_dial_before_class_2_is_flagged(sims, tmp_path):
    sim, fax = start(sims, tmp_path)
    fax.transport.write(b"ATD04318888\r")
    assert fax.transport.read_until(b"ERROR\r\n", timeout=2).endswith(b"ERROR\r\n")
    assert "before AT+FCLASS=2.0" in state(sim)["errors"][0]
    fax.transport.close()


@pytest.mark.parametrize("count", [1, 2])
def test_receive_an_incoming_fax(sims, tmp_path, count):
    pages = [page(n + 1) for n in range(count)]
    incoming = tmp_path / "incoming.tif"
    pages[0].save(incoming, save_all=True, append_images=pages[1:])  # plain TIFF, no G3
    sim, fax = start(sims, tmp_path)
    fax.prepare_receive()
    sim.control(f"incoming {incoming}")
    assert fax.wait_for_ring(3)
    received = fax.receive()
    assert len(received.pages) == count
    assert received.remote_id == "+86 431 0000 0000"
    saved = received.save_tiff(tmp_path / "inbox.tif")
    with Image.open(saved) as tiff:
        assert tiff.n_frames == count
        for number, sent in enumerate(pages):
            tiff.seek(number)
            assert tiff.convert("1").tobytes() == sent.tobytes()
    assert state(sim)["call"] == "idle"
    fax.transport.close()


def test_no_ring_without_a_call(sims, tmp_path):
    _, fax = start(sims, tmp_path)
    assert fax.wait_for_ring(0.3) is False
    fax.transport.close()
