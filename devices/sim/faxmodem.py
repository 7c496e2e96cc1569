"""A fake Class 2.0 fax modem and the fax machine behind it, for :class:`Class2Fax`.

``python -m devices.sim faxmodem --pty --baud 0 [--outdir DIR] [--remote-id ID]``

Sending to it: it checks the AT sequence (``AT+FCLASS=2.0`` before ``ATD``, ``ATD`` before
``AT+FDT``), un-stuffs the page data up to ``DLE ,``/``DLE .`` and saves each page as a TIFF
(``page-0001.tif``, … in ``--outdir``). Receiving from it: ``incoming FILE.tif`` rings the line
and, once answered, sends that file's pages.

Control commands besides the runner's (``silent`` makes it say nothing at all):

``fail nocarrier [dial|page]``  NO CARRIER on dialling, or after the first page
``fail fhs CODE``               end the next send with ``+FHS:CODE`` (e.g. 50) instead of 00
``fail none``                   send normally again
``incoming FILE``               an incoming fax of FILE's pages (any image Pillow opens;
                                ``sample``: a one-page notice, devices.fax.sample)

``--incoming FILE --incoming-after SECONDS`` rings once with FILE's pages that long after start
(the demo's first fax).
``state``                       JSON: pages, files, fhs (the last hangup status), errors, …
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from devices.fax.g3 import count_rows, encode_page, read_pages, write_tiff
from devices.sim.base import SimDevice, split_lines

DLE = 0x10
PARAMS = "1,5,0,2,0,0,0,0"  # fine, 14400 bit/s, 1728 px, unlimited length, MH, no ECM


class FaxModemSim(SimDevice):
    """Class 2.0 fax modem with a fax machine on the far end of the line."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Where received pages go, and who the far end is."""
        parser.add_argument("--outdir", help="directory for received pages (default: a new one)")
        parser.add_argument("--remote-id", default="+86 431 0000 0000", help="far end's id")
        parser.add_argument("--ring-interval", type=float, default=0.5, help="seconds per ring")
        parser.add_argument("--rings", type=int, default=6, help="rings of an incoming fax")
        parser.add_argument(
            "--incoming", metavar="FILE", help="an incoming fax after start (sample: a notice)"
        )
        parser.add_argument(
            "--incoming-after", type=float, default=3.0, metavar="SECONDS", help="when (3 s)"
        )

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        outdir = getattr(options, "outdir", None)
        if not outdir:
            outdir = tempfile.mkdtemp(prefix="faxmodem-")
            options.outdir = outdir  # a reset keeps the same directory
        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.remote_id: str = getattr(options, "remote_id", "SIM FAX")
        self.ring_interval: float = getattr(options, "ring_interval", 0.5)
        self.rings: int = getattr(options, "rings", 6)
        self.files: list[str] = sorted(str(p) for p in self.outdir.glob("page-*.tif"))
        self.errors: list[str] = []
        self.commands: list[str] = []
        self.fhs = ""
        self.fail_nocarrier = ""  # "", "dial" or "page"
        self.fail_fhs = ""
        self.fclass = "0"
        self.local_id = ""
        self.dialed: list[str] = []
        self.session_pages = 0
        self.mode = "command"  # command | send-data | await-dc2
        self.call = "idle"  # idle | sending | ringing | receiving
        self._page = bytearray()
        self._page_end = b""
        self._incoming: list[bytes] = []
        self._incoming_total = 0
        self._rings_at: list[float] = []
        first = getattr(options, "incoming", None)
        if first:
            after = float(getattr(options, "incoming_after", 3.0))
            self._ring_with(self._pages_of(first), time.monotonic() + max(0.0, after))

    # ------------------------------------------------------------------ framing

    def split(self, buffer: bytearray) -> list[bytes]:
        """AT lines; in a page, un-stuffed data up to DLE , or DLE .; DC2 when one is due."""
        frames: list[bytes] = []
        while buffer:
            if self.mode == "send-data":
                end = self._take_data(buffer)
                if end is None:
                    break
                frames.append(end)
                self.mode = "command"
            elif self.mode == "await-dc2":
                at = buffer.find(b"\x12")
                if at < 0:
                    buffer.clear()
                    break
                del buffer[: at + 1]
                frames.append(b"\x12")
                self.mode = "command"
            else:
                line_end = max(buffer.find(b"\r"), buffer.find(b"\n"))
                if line_end < 0:
                    break
                frames.extend(split_lines(buffer))
                # a command that switches to data mode is handled after this split: stop here
                break
        return frames

    def _take_data(self, buffer: bytearray) -> bytes | None:
        at = 0
        while at < len(buffer):
            byte = buffer[at]
            if byte != DLE:
                nxt = buffer.find(b"\x10", at)
                nxt = len(buffer) if nxt < 0 else nxt
                self._page += buffer[at:nxt]
                at = nxt
                continue
            if at + 1 >= len(buffer):
                break
            code = buffer[at + 1]
            at += 2
            if code == DLE:
                self._page.append(DLE)
            elif code == 0x1A:
                self._page += b"\x10\x10"
            elif code in b",.":
                del buffer[:at]
                return bytes([DLE, code])
            elif code == 0x03:
                self.errors.append("DLE ETX ends a page in Class 2, not 2.0 (want DLE , or .)")
                del buffer[:at]
                return b"\x10."
            else:
                self.errors.append(f"unexpected DLE 0x{code:02x} in page data")
        del buffer[:at]
        return None

    # ------------------------------------------------------------------ commands

    def handle(self, frame: bytes) -> bytes | None:
        """Answer an AT command, the end of a sent page, or DC2 (send the next page)."""
        if frame in (b"\x10,", b"\x10."):
            return self._lines(*self._page_done(last=frame == b"\x10."))
        if frame == b"\x12":
            return self._send_page()
        text = frame.decode("ascii", "replace").strip()
        if not text:
            return None
        self.commands.append(text)
        return self._lines(*self._command(text))

    @staticmethod
    def _lines(*lines: str) -> bytes:
        return b"".join(line.encode() + b"\r\n" for line in lines)

    def _command(self, text: str) -> tuple[str, ...]:
        cmd = text.upper()
        if not cmd.startswith("AT"):
            return ("ERROR",)
        body = cmd[2:]
        if body in ("", "Z", "E0", "E1", "H", "H0"):
            if body.startswith("H") or body == "Z":
                self.call, self.mode, self._incoming, self._rings_at = "idle", "command", [], []
            if body == "Z":
                self.fclass = "0"
            return ("OK",)
        if body == "+FCLASS=?":
            return ("0,1,2,2.0", "OK")
        if body == "+FCLASS?":
            return (self.fclass, "OK")
        if body.startswith("+FCLASS="):
            value = body.split("=", 1)[1]
            if value not in ("0", "1", "2", "2.0"):
                return ("ERROR",)
            self.fclass = value
            return ("OK",)
        if body.startswith("+FLI="):
            self.local_id = text.split("=", 1)[1].strip().strip('"')
            return ("OK",)
        if body.startswith("+F") and "=" in body and body[:5] not in ("+FDT", "+FDR"):
            return ("OK",)  # +FNR, +FCR, +FCC, +FLO, …: accepted
        if body.startswith("D"):
            return self._dial(body[1:].lstrip("TP"))
        if body == "+FDT":
            if self.call != "sending":
                self.errors.append("AT+FDT without a fax call (ATD first)")
                return ("ERROR",)
            self.mode = "send-data"
            self._page = bytearray()
            return (f"+FCS:{PARAMS}", "CONNECT")
        if body == "A":
            return self._answer()
        if body == "+FDR":
            return self._fdr()
        return ("ERROR",)

    def _dial(self, number: str) -> tuple[str, ...]:
        if self.fclass != "2.0":
            self.errors.append(f"ATD{number} before AT+FCLASS=2.0 (class {self.fclass})")
            return ("ERROR",)
        if not number or not all(c in "0123456789*#+," for c in number):
            return ("ERROR",)
        self.dialed.append(number)
        if self.fail_nocarrier == "dial":
            self.fhs = "11"
            return ("NO CARRIER",)
        self.call = "sending"
        self.session_pages = 0
        return ("+FCO", f'+FCI:"{self.remote_id}"', f"+FIS:{PARAMS}", "OK")

    def _page_done(self, *, last: bool) -> tuple[str, ...]:
        data = bytes(self._page)
        self._page = bytearray()
        rows = count_rows(data)
        self.session_pages += 1
        if rows:
            path = self.outdir / f"page-{len(self.files) + 1:04d}.tif"
            write_tiff([data], path)
            self.files.append(str(path))
        else:
            self.errors.append(f"page {self.session_pages} had no scan lines")
        if self.fail_nocarrier == "page":
            self.call = "idle"
            self.fhs = "40"
            return ("NO CARRIER",)
        status = f"+FPS:{1 if rows else 2},{rows:x},0,0,0"
        if not last:
            return (status, "OK")
        self.call = "idle"
        self.fhs = self.fail_fhs or "00"
        return (status, f"+FHS:{self.fhs}", "OK")

    # ------------------------------------------------------------------ incoming fax

    def _answer(self) -> tuple[str, ...]:
        if self.call != "ringing":
            return ("NO CARRIER",)
        if self.fclass != "2.0":
            self.errors.append(f"ATA for a fax in class {self.fclass}")
            return ("NO CARRIER",)
        self.call = "receiving"
        self._rings_at = []
        return ("+FCO", f'+FTI:"{self.remote_id}"', f"+FCS:{PARAMS}", "OK")

    def _fdr(self) -> tuple[str, ...]:
        if self.call != "receiving":
            self.errors.append("AT+FDR without an answered fax call")
            return ("ERROR",)
        if not self._incoming:
            self.call = "idle"
            self.fhs = "00"
            return ("+FHS:00", "OK")
        self.mode = "await-dc2"
        return ("CONNECT",)

    def _send_page(self) -> bytes:
        data = self._incoming.pop(0)
        rows = count_rows(data)
        more = "0" if self._incoming else "2"
        trailer = self._lines("", f"+FPS:1,{rows:x},0,0,0", f"+FET:{more}", "OK")
        return data.replace(b"\x10", b"\x10\x10") + b"\x10\x03" + trailer

    def on_control(self, cmd: str, args: list[str]) -> str | None:
        """``fail …`` and ``incoming FILE``."""
        if cmd == "fail":
            what = args[0].lower()
            if what == "nocarrier":
                where = args[1].lower() if len(args) > 1 else "dial"
                if where not in ("dial", "page"):
                    raise ValueError("fail nocarrier [dial|page]")
                self.fail_nocarrier = where
            elif what == "fhs":
                code = args[1]
                if len(code) != 2 or not code.isalnum():
                    raise ValueError("an +FHS code is two characters, e.g. 50")
                self.fail_fhs = code.upper()
            elif what == "none":
                self.fail_nocarrier = self.fail_fhs = ""
            else:
                raise ValueError(f"unknown failure {what!r}")
            return ""
        if cmd == "incoming":
            pages = self._pages_of(" ".join(args))
            self._ring_with(pages, time.monotonic())
            return f"incoming {len(pages)} pages"
        return None

    @staticmethod
    def _pages_of(path: str) -> list[bytes]:
        """Phase-C pages of an image file, or of the sample notice (``sample``)."""
        if path == "sample":
            from devices.fax.sample import notice_page

            return [encode_page(notice_page())]
        try:
            return [encode_page(page) for page in read_pages(path)]
        except OSError as exc:
            raise ValueError(f"cannot read {path}: {exc}") from exc

    def _ring_with(self, pages: list[bytes], start: float) -> None:
        self._incoming = pages
        self._incoming_total = len(pages)
        self.call = "ringing"
        self._rings_at = [start + i * self.ring_interval for i in range(max(1, self.rings))]

    def tick(self, now: float) -> bytes:
        """RING for an incoming fax until it is answered."""
        due = [t for t in self._rings_at if t <= now]
        self._rings_at = [t for t in self._rings_at if t > now]
        if self.call == "ringing" and due and not self._rings_at:
            self.call = "idle"  # rang out: the caller gave up (after this last ring)
        return b"\r\nRING\r\n" * len(due)

    def next_tick(self, now: float) -> float | None:
        """Until the next ring."""
        return self._rings_at[0] - now if self._rings_at else None

    def describe(self) -> Any:
        """Pages and files received, the last +FHS, sequence errors, and what is set."""
        return {
            "pages": len(self.files),
            "files": self.files,
            "fhs": self.fhs,
            "errors": self.errors,
            "fclass": self.fclass,
            "local_id": self.local_id,
            "dialed": self.dialed,
            "call": self.call,
            "incoming_left": len(self._incoming),
            "incoming_total": self._incoming_total,
            "commands": self.commands[-30:],
        }
