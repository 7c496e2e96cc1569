"""An analog phone line through a voice/data modem's AT commands, with caller ID.

>>> modem = AtModem(open_transport("/dev/ttyACM0"))  # doctest: +SKIP
>>> modem.initialize()  # ATZ, ATE0, AT+GCI=B5, AT+VCID=1 (or AT#CID=1)  # doctest: +SKIP
>>> modem.dial("13800138000")  # doctest: +SKIP
<DialOutcome.CONNECTED: 'OK'>
>>> for event in modem.poll_events(0.2): ...  # from a worker thread  # doctest: +SKIP

One lock serialises the port: ``poll_events`` holds it for at most its timeout, so a worker
polling with short timeouts and a command from another thread take turns. Lines that are not
the answer to a command (RING, caller-ID fields) are kept as events, never dropped.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum

from devices.errors import ConnectionLost, DeviceTimeout, ProtocolError
from devices.phone.callerid import NUMBER_FIELDS, CallerId, field_of, from_fields
from devices.transport import Transport

CR = b"\r"
_DIALABLE = re.compile(r"[0-9*#+,]+")  # digits, star, hash, international +, pause
CID_QUIET = 0.15  # a caller-ID block is whole after this long without another field


class DialOutcome(Enum):
    """How a dial ended, by the modem's result code."""

    CONNECTED = "OK"  # voice call placed (ATD…; returns to command mode)
    BUSY = "BUSY"
    NO_CARRIER = "NO CARRIER"
    NO_DIALTONE = "NO DIALTONE"
    NO_ANSWER = "NO ANSWER"


@dataclass(frozen=True, slots=True)
class Ring:
    """The line rang once."""

    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class CallerIdEvent:
    """A caller-ID block arrived (between the first and second ring)."""

    caller: CallerId
    at: float = field(default_factory=time.monotonic)


ModemEvent = Ring | CallerIdEvent

_FINAL = {
    "OK",
    "ERROR",
    "CONNECT",
    "VCON",
    "BUSY",
    "NO CARRIER",
    "NO DIALTONE",
    "NO DIAL TONE",
    "NO ANSWER",
}


class AtModem:
    """A Hayes-compatible modem on an analog line: dial, answer, hang up, ring and caller ID."""

    def __init__(self, transport: Transport, *, timeout: float = 2.0) -> None:
        self.transport = transport
        self.timeout = timeout
        self.caller_id_command: str | None = None  # which command enabled caller ID
        self._lock = threading.RLock()
        self._buffer = bytearray()
        self._events: deque[ModemEvent] = deque()
        self._cid_fields: list[tuple[str, str]] = []
        self._cid_last = 0.0

    # ------------------------------------------------------------------ commands

    def initialize(self, country: str = "B5") -> None:
        """Reset, echo off, country (B5 = China), caller ID on (``AT+VCID=1``, else ``AT#CID=1``).

        ProtocolError when the modem refuses both caller-ID commands.
        """
        with self._lock:
            self._drain()
            self.command("ATZ")
            self.command("ATE0")
            self.command(f"AT+GCI={country}")
            for cid in ("AT+VCID=1", "AT#CID=1"):
                try:
                    self.command(cid)
                except ProtocolError:
                    continue
                self.caller_id_command = cid
                return
            raise ProtocolError("the modem supports neither AT+VCID=1 nor AT#CID=1", code="ERROR")

    def dial(self, number: str, *, timeout: float = 60.0) -> DialOutcome:
        """Dial ``number`` as a voice call (``ATD<number>;``) and say how it ended.

        ValueError for characters a modem would not dial (or would take as commands);
        ProtocolError when the modem answers ERROR; DeviceTimeout when it says nothing.
        """
        if not _DIALABLE.fullmatch(number):
            raise ValueError(f"not a dialable number: {number!r}")
        result = self.command(f"ATD{number};", timeout=timeout, accept=_DIAL_RESULTS)
        return _DIAL_RESULTS[result]

    def answer(self, *, timeout: float = 30.0) -> bool:
        """Pick up (``ATA``): True when the line was answered, False when nobody was there."""
        result = self.command("ATA", timeout=timeout, accept=_ANSWER_RESULTS)
        return _ANSWER_RESULTS[result]

    def hangup(self) -> None:
        """Put the line on hook (``ATH``)."""
        self.command("ATH")

    def command(
        self,
        text: str,
        *,
        timeout: float | None = None,
        accept: Mapping[str, object] | None = None,
    ) -> str:
        """Send an AT command and return its final result code (``OK`` unless ``accept``ed).

        ProtocolError for ERROR or any final code not accepted; DeviceTimeout without one.
        """
        accepted: Mapping[str, object] = accept if accept is not None else {"OK": True}
        with self._lock:
            self.transport.write(text.encode("ascii") + CR)
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
            while True:
                line = self._read_line(deadline, text)
                code = "NO DIALTONE" if line == "NO DIAL TONE" else line
                if code in _FINAL or code.startswith("+CME ERROR"):
                    self._flush_cid()  # a block cut short by the answer still counts
                    if code in accepted:
                        return code
                    raise ProtocolError(f"{text} failed: {code}", code=code, reply=line.encode())
                if line != text:  # not the echo (before ATE0): RING, caller ID, blank lines
                    self._note(line)

    # ------------------------------------------------------------------ events

    def poll_events(self, timeout: float) -> list[ModemEvent]:
        """RING and caller-ID events that arrive within ``timeout`` seconds (or earlier ones).

        Returns as soon as there is at least one event. ConnectionLost when the port is gone.
        """
        with self._lock:
            deadline = time.monotonic() + timeout
            while not self._events:
                self._flush_quiet_cid()
                if self._events:
                    break
                try:
                    line = self._read_line(deadline, None, at_most=CID_QUIET)
                except ConnectionLost:
                    raise
                except DeviceTimeout:
                    if time.monotonic() >= deadline:
                        self._flush_quiet_cid()
                        break
                    continue
                self._note(line)
            while _has_line(self._buffer):  # whatever else already came with it
                self._note(self._take_line())
            events = list(self._events)
            self._events.clear()
            return events

    def events(self, timeout: float = 0.2) -> Iterator[ModemEvent]:
        """Poll forever (for a worker thread), yielding each event as it comes."""
        while True:
            yield from self.poll_events(timeout)

    def _note(self, line: str) -> None:
        """Route an unsolicited line: RING, a caller-ID field, or the end of a block."""
        if line == "RING":
            self._flush_cid()
            self._events.append(Ring())
            return
        parsed = field_of(line)
        if parsed is not None:
            if any(key == parsed[0] for key, _ in self._cid_fields):
                self._flush_cid()  # a field again: a new block began
            self._cid_fields.append(parsed)
            self._cid_last = time.monotonic()
            if parsed[0] == "NAME" and any(k in NUMBER_FIELDS for k, _ in self._cid_fields):
                self._flush_cid()  # NAME comes last: the block is whole, report it now
        elif not line and any(key in NUMBER_FIELDS for key, _ in self._cid_fields):
            self._flush_cid()  # the blank line after a block with its number in it
        # anything else (a stray OK, noise on the line) is not an event

    def _flush_cid(self) -> None:
        if self._cid_fields:
            caller = from_fields(self._cid_fields)
            self._cid_fields = []
            if caller is not None:
                self._events.append(CallerIdEvent(caller))

    def _flush_quiet_cid(self) -> None:
        if self._cid_fields and time.monotonic() - self._cid_last >= CID_QUIET:
            self._flush_cid()

    # ------------------------------------------------------------------ reading

    def _drain(self) -> None:
        """Drop input nobody asked for (a modem left talking), keeping events whole."""
        self._buffer += self.transport.read_available()
        while b"\n" in self._buffer or b"\r" in self._buffer:
            self._note(self._take_line())
        self._buffer.clear()

    def _take_line(self) -> str:
        match = re.search(rb"\r\n|\n|\r", self._buffer)
        assert match is not None
        raw = bytes(self._buffer[: match.start()])
        del self._buffer[: match.end()]
        return raw.decode("utf-8", "replace").strip()

    def _read_line(self, deadline: float, command: str | None, at_most: float | None = None) -> str:
        """The next line (blank lines included, they end caller-ID blocks)."""
        stop = deadline if at_most is None else min(deadline, time.monotonic() + at_most)
        while not _has_line(self._buffer):
            if self._buffer.endswith(b"\r"):
                # a lone CR may be the first half of CRLF: give the LF a moment
                try:
                    self._buffer += self.transport.read_exact(1, timeout=0.05)
                except ConnectionLost:
                    raise
                except DeviceTimeout:
                    return self._take_line()
                continue
            remaining = stop - time.monotonic()
            if remaining <= 0:
                what = f"to {command}" if command else "from the modem"
                raise DeviceTimeout(f"no reply {what} (got {bytes(self._buffer)!r})")
            self._buffer += self.transport.read_exact(1, timeout=remaining)
            self._buffer += self.transport.read_available()
        return self._take_line()


def _has_line(buffer: bytearray) -> bool:
    """A whole line is there (a lone CR at the end may still get its LF)."""
    return re.search(rb"\r\n|\n|\r(?=.)", buffer, re.DOTALL) is not None


_DIAL_RESULTS: dict[str, DialOutcome] = {o.value: o for o in DialOutcome} | {
    "CONNECT": DialOutcome.CONNECTED,
    "VCON": DialOutcome.CONNECTED,
}
_ANSWER_RESULTS: dict[str, bool] = {"OK": True, "VCON": True, "CONNECT": True, "NO CARRIER": False}
