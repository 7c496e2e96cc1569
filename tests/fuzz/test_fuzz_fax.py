"""Fax modem responses, received page data and documents handed to ``fax send``.

The Class 2.0 driver answers anything with DeviceError only. Received pages, whatever their
bits, are wrapped and filed, or refused with ValidationError and nothing stored. A damaged or
truncated document given to ``fax send`` is refused with a clear message and not queued.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from console.domain import ValidationError
from console.services import Services
from devices.errors import DeviceError
from devices.fax.class2 import Class2Fax, FaxParams, ReceivedFax, hangup_text
from devices.fax.g3 import count_rows, encode_page, write_tiff
from tests.fuzz._helpers import FuzzTransport, mutated, refused, replies, row_counts, said_why
from tests.fuzz.conftest import examples

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")

OFFICER = "zhangwei"
PAGE = encode_page(Image.new("1", (1728, 24), 1))

SEND = [b"OK\r\n", b"+FCI:\"0431 8888 0000\"\r\n+FIS:1,5,0,2,0,0,0,0\r\nOK\r\n",
        b"+FCS:1,5,0,2,0,0,0,0\r\nCONNECT\r\n", b"+FPS:1,0,0,0,0\r\nOK\r\n",
        b"+FHS:00\r\nOK\r\n", b"+FHS:23\r\nOK\r\n", b"NO CARRIER\r\n", b"ERROR\r\n",
        b"+FCS:1,5,0,2,0,0,0,0\r\nCONNECT\r\n" + PAGE + b"\x10\x03",
        b"+FCS:zz,,-1,99999999999999999999999\r\nCONNECT\r\n" + b"\x10\x10\x10\x1a\x10\x03",
        b"+FTI:\"1234\"\r\n+FCS:1,5,0,2,3,0,0,0\r\nOK\r\n", b"RING\r\n"]  # fmt: skip


@given(
    operation=st.sampled_from(["send", "receive", "prepare", "ring"]),
    answers=st.lists(replies(SEND), max_size=10),
)
def test_class2_driver_survives_any_response(operation: str, answers: list[bytes]) -> None:
    fax = Class2Fax(FuzzTransport(answers), local_id="0431 8888 0001", timeout=0.01)
    fax.data_timeout = 0.01
    try:
        if operation == "send":
            result = fax.send("04318888000", [PAGE, PAGE], dial_timeout=0.01)
            assert result.pages == 2
        elif operation == "receive":
            received = fax.receive(answer_timeout=0.01)
            assert isinstance(received, ReceivedFax)
            assert all(isinstance(p, bytes) for p in received.pages)
        elif operation == "prepare":
            fax.prepare_receive()
        else:
            assert fax.wait_for_ring(0.0) in (True, False)
    except DeviceError as exc:
        said_why(exc)


@given(text=st.text(max_size=40))
def test_fax_parameters_and_hangup_codes_take_any_text(text: str) -> None:
    params = FaxParams.parse(text)
    assert isinstance(params.fine, bool)
    assert isinstance(params.data_format, int)
    assert hangup_text(text)


@given(data=st.one_of(mutated([PAGE]), st.binary(max_size=300)), two_d=st.booleans())
def test_received_page_data_is_wrapped_or_refused(data: bytes, two_d: bool) -> None:
    rows = count_rows(data, two_d=two_d)
    assert rows >= 0
    out = io.BytesIO()
    try:
        write_tiff([data], out, two_d=two_d)
    except ValueError as exc:
        said_why(exc)
        assert rows == 0
        return
    assert out.getvalue().startswith(b"II*\x00")


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


def _tiff(pages: list[bytes], two_d: bool = False) -> bytes:
    out = io.BytesIO()
    write_tiff(pages, out, two_d=two_d)
    return out.getvalue()


GOOD_TIFF = _tiff([PAGE, PAGE])


@examples(15)
@given(
    tiff=st.one_of(
        mutated([GOOD_TIFF]),
        st.lists(mutated([PAGE]), min_size=1, max_size=2).map(
            lambda pages: _tiff(pages) if all(count_rows(p) for p in pages) else b""
        ),
    )
)
def test_a_received_fax_is_filed_or_refused_with_nothing_stored(
    services: Services, tiff: bytes
) -> None:
    before = row_counts(services)
    try:
        fax = services.fax.receive(OFFICER, "fax-1", tiff, remote_id="0431 8888 0000")
    except ValidationError as exc:
        refused(exc, "tiff")
        assert row_counts(services) == before
        return
    assert fax.pages >= 1
    after = row_counts(services)
    assert after["fax_in"] == before["fax_in"] + 1


def test_a_received_tiff_with_missing_dimensions_is_refused(services: Services) -> None:
    """Regression: Pillow's TypeError/KeyError/SyntaxError escaped FaxService.receive."""
    for damaged in _damaged_tiffs():
        before = row_counts(services)
        with pytest.raises(ValidationError) as caught:
            services.fax.receive(OFFICER, "fax-1", damaged)
        said_why(caught.value)
        assert row_counts(services) == before


def _damaged_tiffs() -> list[bytes]:
    """A TIFF without ImageWidth, one with an unknown photometric mode, one far too big."""
    out = []
    for tag, value in ((256, None), (262, 77), (256, 0xFFFFFF)):
        data = bytearray(GOOD_TIFF)
        at = data.find(tag.to_bytes(2, "little") + b"\x03\x00" if tag == 262 else b"")
        if tag == 256:
            at = data.find((256).to_bytes(2, "little") + (4).to_bytes(2, "little"))
        assert at > 0
        if value is None:
            data[at : at + 2] = (999).to_bytes(2, "little")  # ImageWidth gone
        else:
            data[at + 8 : at + 12] = value.to_bytes(4, "little")
        out.append(bytes(data))
    return out


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def sqlite_services(sqlite_url: str) -> Iterator[Services]:
    """Rendering runs in a subprocess whatever the database: one backend is enough here."""
    services = Services.open(sqlite_url)
    yield services
    services.close()


def test_fax_send_refuses_an_image_pillow_cannot_size(
    sqlite_services: Services, tmp_path: Path
) -> None:
    """Regression: a TIFF without ImageWidth crashed the renderer (TypeError, a traceback)."""
    source = tmp_path / "scan.tif"
    source.write_bytes(_damaged_tiffs()[0])
    before = row_counts(sqlite_services)
    with pytest.raises(ValidationError) as caught:
        sqlite_services.fax.queue(OFFICER, "0431-88880000", source)
    refused(caught.value, "file")
    assert "图像文件损坏或无法读取" in caught.value.errors["file"]
    assert row_counts(sqlite_services) == before


@examples(4)
@given(
    document=st.one_of(
        st.sampled_from([b"", b"%PDF-", PDF[:40], PDF[:-20], b"%PDF-1.7\n" + b"\x00" * 64]),
        mutated([PDF]),
        st.binary(min_size=1, max_size=64),
        mutated([GOOD_TIFF[:200]]),
    ),
    suffix=st.sampled_from([".pdf", ".tif", ".png"]),
)
def test_fax_send_refuses_a_damaged_document_and_queues_nothing(
    sqlite_services: Services, tmp_path: Path, document: bytes, suffix: str
) -> None:
    services = sqlite_services
    source = tmp_path / f"notice{suffix}"
    source.write_bytes(document)
    before = row_counts(services)
    try:
        job = services.fax.queue(OFFICER, "0431-88880000", source)
    except ValidationError as exc:
        refused(exc, "file")
        assert row_counts(services) == before
        return
    assert job.pages >= 1  # a damaged file Qt or Pillow can still read is a fax all the same
