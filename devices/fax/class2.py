"""A Class 2.0 (ITU T.32) fax modem: send and receive pages of T.4 data.

>>> fax = Class2Fax(open_transport("/dev/ttyUSB1"), local_id="+86 431 8888 0000")  # doctest: +SKIP
>>> fax.send("04318888", [encode_page(p) for p in fit_to_pages(image)])  # doctest: +SKIP
>>> fax.prepare_receive(); fax.wait_for_ring(60); received = fax.receive()  # doctest: +SKIP

Send: ``AT+FCLASS=2.0``, ``AT+FLI="id"``, ``AT+FNR=1,1,1,1``, ``ATD<number>`` (→ ``+FCO``,
``+FCI``, ``+FIS``, ``OK``), then per page ``AT+FDT`` (→ ``CONNECT``), the page with every
DLE doubled and ``DLE ,`` (more pages) or ``DLE .`` (last) after it (→ ``+FHS:00``, ``OK``).
Receive: ``ATA`` (→ ``+FCO``, ``+FTI``, ``+FCS``, ``OK``), per page ``AT+FDR`` (→ ``CONNECT``),
DC2 from the host, the page until ``DLE ETX``, ``+FPS`` and ``+FET`` (0 more pages, 2 last);
a last ``AT+FDR`` reports ``+FHS:00``. A non-zero ``+FHS`` is a ProtocolError carrying the
code; a lost line (``NO CARRIER``) is a DeviceError; silence is a DeviceTimeout.

Flow control: real modems pace the page data with XON/XOFF (``AT+FLO=1``) or RTS/CTS
(``AT+FLO=2``); configure the serial port accordingly. Data is written in small chunks.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devices.errors import ConnectionLost, DeviceError, DeviceTimeout, ProtocolError
from devices.fax.g3 import write_tiff
from devices.transport import Transport

DLE, ETX, DC2, SUB = 0x10, 0x03, 0x12, 0x1A
MORE_PAGES = b"\x10,"
LAST_PAGE = b"\x10."
END_OF_DATA = b"\x10\x03"
CHUNK = 1024  # bytes per write, so a paced (XON/XOFF) line never sees one huge write
_DIALABLE = re.compile(r"[0-9*#+,TPWtpw]+")
_INFO_RE = re.compile(r"^\+F([A-Z]{2,3})\s*:\s*(.*)$")
_FINAL = {"OK", "ERROR", "CONNECT", "NO CARRIER", "BUSY", "NO DIALTONE", "NO ANSWER"}

# T.32 hangup status (+FHS) by its first digit: which phase of the call failed.
_HANGUP_PHASES = {
    "0": "call placement or ending",
    "1": "phase A (call set-up)",
    "2": "transmit phase B (negotiation)",
    "4": "transmit phase C (page data)",
    "5": "transmit phase D (post-page)",
    "7": "receive phase B (negotiation)",
    "8": "receive phase C (page data)",
    "9": "receive phase D (post-page)",
}


def stuff(data: bytes) -> bytes:
    """Page data as sent to the modem: every DLE doubled."""
    return data.replace(b"\x10", b"\x10\x10")


def hangup_text(code: str) -> str:
    """A short explanation of a +FHS hangup code."""
    if code == "00":
        return "normal end of call"
    return f"failure in {_HANGUP_PHASES.get(code[:1], 'an unknown phase')} (+FHS:{code})"


@dataclass(frozen=True, slots=True)
class FaxParams:
    """T.30 session parameters as in ``+FIS``/``+FCS``: VR,BR,WD,LN,DF,EC,BF,ST."""

    raw: str
    values: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FaxParams:
        """Parse ``1,5,0,2,0,0,0,0`` (values are hexadecimal in Class 2.0)."""
        values: list[int] = []
        for part in text.split(","):
            try:
                values.append(int(part.strip(), 16))
            except ValueError:
                values.append(-1)
        return cls(text.strip(), tuple(values))

    def _value(self, index: int, default: int = 0) -> int:
        return self.values[index] if len(self.values) > index else default

    @property
    def fine(self) -> bool:
        """Vertical resolution 196 lpi (VR non-zero) rather than 98."""
        return self._value(0) > 0

    @property
    def data_format(self) -> int:
        """DF: 0 one-dimensional MH, 1 two-dimensional MR, 3 MMR (T.6)."""
        return self._value(4)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the modem reported for a fax that went through."""

    pages: int
    remote_id: str | None
    remote_params: FaxParams | None  # +FIS: what the far end can do
    session_params: FaxParams | None  # +FCS: what was agreed
    page_status: tuple[str, ...]  # +FPS per page, as reported (when the modem reports it)


@dataclass(frozen=True, slots=True)
class ReceivedFax:
    """A received fax: each page's phase-C data (LSB first, as on the wire)."""

    pages: tuple[bytes, ...]
    remote_id: str | None
    session_params: FaxParams | None
    page_status: tuple[str, ...]

    @property
    def fine(self) -> bool:
        """Pages are 196 lpi (else 98)."""
        return self.session_params.fine if self.session_params else True

    def save_tiff(self, path: str | Path) -> Path:
        """Write the pages, unchanged, as one multi-page TIFF (FillOrder 2)."""
        two_d = self.session_params is not None and self.session_params.data_format == 1
        write_tiff(self.pages, path, fine=self.fine, two_d=two_d)
        return Path(path)


class Class2Fax:
    """A Class 2.0 fax modem on a serial line."""

    def __init__(
        self,
        transport: Transport,
        *,
        local_id: str = "",
        timeout: float = 5.0,
        data_timeout: float = 20.0,
    ) -> None:
        if '"' in local_id or not local_id.isascii() or len(local_id) > 20:
            raise ValueError("a fax station id is at most 20 ASCII characters, no quotes")
        self.transport = transport
        self.local_id = local_id
        self.timeout = timeout  # for each command's answer
        self.data_timeout = data_timeout  # longest quiet gap inside page data
        self._lock = threading.RLock()
        self._buffer = bytearray()

    # ------------------------------------------------------------------ sending

    def send(
        self, number: str, pages: Sequence[bytes], *, dial_timeout: float = 90.0
    ) -> SendResult:
        """Dial ``number`` and send ``pages`` (T.4 phase-C data, LSB first).

        ProtocolError (``code`` = the +FHS code, or ``ERROR``) when the modem or the far end
        reports a failure; DeviceError when the line drops (NO CARRIER); DeviceTimeout when
        the modem goes quiet. ValueError for an empty document or an undialable number.
        """
        if not pages:
            raise ValueError("a fax needs at least one page")
        if not _DIALABLE.fullmatch(number):
            raise ValueError(f"not a dialable number: {number!r}")
        with self._lock:
            self._drain()
            self._command("AT+FCLASS=2.0")
            self._command(f'AT+FLI="{self.local_id}"')
            self._command("AT+FNR=1,1,1,1")
            info = self._command(f"ATD{number}", timeout=dial_timeout)
            remote_id = _quoted(info.get("CI"))
            remote = FaxParams.parse(info["IS"]) if "IS" in info else None
            session: FaxParams | None = None
            status: list[str] = []
            for index, page in enumerate(pages):
                last = index == len(pages) - 1
                info = self._command("AT+FDT", final="CONNECT", timeout=dial_timeout)
                if "CS" in info:
                    session = FaxParams.parse(info["CS"])
                self._write_data(stuff(page) + (LAST_PAGE if last else MORE_PAGES))
                info = self._command(None, timeout=max(self.timeout, self.data_timeout))
                if "PS" in info:
                    status.append(info["PS"])
            return SendResult(len(pages), remote_id, remote, session, tuple(status))

    # ------------------------------------------------------------------ receiving

    def prepare_receive(self) -> None:
        """Be ready to answer a fax: Class 2.0, our station id, able to receive, reports on."""
        with self._lock:
            self._drain()
            self._command("AT+FCLASS=2.0")
            self._command(f'AT+FLI="{self.local_id}"')
            self._command("AT+FCR=1")
            self._command("AT+FNR=1,1,1,1")

    def wait_for_ring(self, timeout: float) -> bool:
        """True when the modem reports RING within ``timeout`` seconds."""
        with self._lock:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    line = self._read_line(deadline, "RING")
                except ConnectionLost:
                    raise
                except DeviceTimeout:
                    return False
                if line == "RING":
                    return True

    def receive(self, *, answer_timeout: float = 60.0) -> ReceivedFax:
        """Answer (``ATA``) and take every page until the far end hangs up.

        Errors as for :meth:`send`; a page without ``DLE ETX`` within ``data_timeout`` of
        silence is a DeviceTimeout.
        """
        with self._lock:
            info = self._command("ATA", timeout=answer_timeout)
            remote_id = _quoted(info.get("TI"))
            session = FaxParams.parse(info["CS"]) if "CS" in info else None
            pages: list[bytes] = []
            status: list[str] = []
            while True:
                info, final = self._command_final("AT+FDR", ("OK", "CONNECT"), answer_timeout)
                if "CS" in info:
                    session = FaxParams.parse(info["CS"])
                if final == "OK":
                    if not pages and "HS" not in info:
                        raise ProtocolError("AT+FDR: no page and no hangup status", code="OK")
                    break
                self.transport.write(bytes([DC2]))
                pages.append(self._read_page())
                info = self._command(None, timeout=max(self.timeout, self.data_timeout))
                if "PS" in info:
                    status.append(info["PS"])
            if session is not None and session.data_format not in (0, 1):
                raise ProtocolError(
                    f"pages in data format {session.data_format} (only MH and MR are stored)",
                    code="DF",
                )
            return ReceivedFax(tuple(pages), remote_id, session, tuple(status))

    # ------------------------------------------------------------------ plumbing

    def _command(
        self, text: str | None, *, final: str = "OK", timeout: float | None = None
    ) -> dict[str, str]:
        info, _ = self._command_final(text, (final,), timeout)
        return info

    def _command_final(
        self, text: str | None, finals: Sequence[str], timeout: float | None
    ) -> tuple[dict[str, str], str]:
        """Send ``text`` (None: only wait) and collect +F info lines until a final code.

        Info lines are returned by name (``"CI"`` for ``+FCI:…``). Any non-zero +FHS is a
        ProtocolError with its code, whatever final code follows.
        """
        if text is not None:
            self.transport.write(text.encode("ascii") + b"\r")
        what = text or "page data"
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        info: dict[str, str] = {}
        while True:
            line = self._read_line(deadline, what)
            match = _INFO_RE.match(line)
            if match:
                info[match.group(1)] = match.group(2).strip()
                continue
            if line not in _FINAL:
                continue  # blank lines, echo, RING
            hangup = info.get("HS", "00").strip()
            if hangup not in ("00", "0"):
                raise ProtocolError(f"{what}: {hangup_text(hangup)}", code=hangup)
            if line in finals:
                return info, line
            if line == "NO CARRIER":
                raise DeviceError(f"{what}: the line dropped (NO CARRIER)")
            raise ProtocolError(f"{what}: the modem answered {line}", code=line)

    def _write_data(self, data: bytes) -> None:
        for start in range(0, len(data), CHUNK):
            self.transport.write(data[start : start + CHUNK])

    def _read_page(self) -> bytes:
        """Page data up to DLE ETX, un-stuffed (DLE DLE → DLE; DLE SUB → DLE DLE)."""
        out = bytearray()
        at = 0
        while True:
            buf = self._buffer
            while at < len(buf):
                byte = buf[at]
                if byte != DLE:
                    end = buf.find(b"\x10", at)
                    end = len(buf) if end < 0 else end
                    out += buf[at:end]
                    at = end
                    continue
                if at + 1 >= len(buf):
                    break  # DLE at the end of what came: wait for its partner
                code = buf[at + 1]
                at += 2
                if code == DLE:
                    out.append(DLE)
                elif code == SUB:
                    out += b"\x10\x10"
                elif code == ETX:
                    del buf[:at]
                    return bytes(out)
                # any other DLE pair is a T.32 in-band command the host may ignore
            del buf[:at]
            at = 0
            self._fill(time.monotonic() + self.data_timeout, "page data ending in DLE ETX")

    def _drain(self) -> None:
        self._buffer.clear()
        self._buffer += self.transport.read_available()
        self._buffer.clear()

    def _fill(self, deadline: float, what: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeviceTimeout(
                f"no {what} from the fax modem (have {bytes(self._buffer)[-40:]!r})"
            )
        self._buffer += self.transport.read_exact(1, timeout=remaining)
        self._buffer += self.transport.read_available()

    def _read_line(self, deadline: float, what: str) -> str:
        while True:
            match = re.search(rb"\r\n|\n|\r(?=[^\n])", self._buffer)
            if match:
                raw = bytes(self._buffer[: match.start()])
                del self._buffer[: match.end()]
                return raw.decode("ascii", "replace").strip()
            if self._buffer.endswith(b"\r"):
                try:
                    self._buffer += self.transport.read_exact(1, timeout=0.05)
                except ConnectionLost:
                    raise
                except DeviceTimeout:
                    self._buffer += b"\n"
                continue
            self._fill(deadline, f"reply to {what}")


def _quoted(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().strip('"').strip() or None


__all__ = ["Class2Fax", "FaxParams", "ReceivedFax", "SendResult", "stuff"]
