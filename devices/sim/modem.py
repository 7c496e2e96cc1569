"""A voice modem with caller ID on an analog line, for :class:`devices.phone.at_modem.AtModem`.

``python -m devices.sim modem --pty [--ring-interval 0.5] [--rings 4] [--cid-style full|ddn]
[--no-vcid]``. Dial outcomes follow the number's last digit: 0 BUSY, 9 NO ANSWER,
8 NO DIALTONE, 7 NO CARRIER, anything else OK (the call is up).

Control commands besides the runner's: ``call NUMBER [NAME]`` (NUMBER may be ``P`` private or
``O`` unavailable) rings the line: RING, the caller-ID block (when caller ID is on), RING, …
until answered (``ATA``) or ``--rings`` rings went by; ``giveup`` stops the ringing as a
caller hanging up would.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from devices.sim.base import SimDevice

DIAL_OUTCOMES = {"0": "BUSY", "9": "NO ANSWER", "8": "NO DIALTONE", "7": "NO CARRIER"}


class ModemSim(SimDevice):
    """Hayes voice modem: ATZ/ATE/AT+GCI/AT+VCID (or AT#CID), ATD…;, ATA, ATH, RING, caller ID."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Ring timing and which caller-ID dialect the modem speaks."""
        parser.add_argument("--ring-interval", type=float, default=0.5, help="seconds per ring")
        parser.add_argument("--rings", type=int, default=4, help="rings before a caller gives up")
        parser.add_argument(
            "--cid-style", choices=("full", "ddn"), default="full", help="NMBR = … or DDN_NMBR="
        )
        parser.add_argument(
            "--no-vcid", action="store_true", help="an older modem: AT+VCID is an ERROR"
        )

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        self.ring_interval: float = getattr(options, "ring_interval", 0.5)
        self.rings: int = getattr(options, "rings", 4)
        self.cid_style: str = getattr(options, "cid_style", "full")
        self.vcid: bool = not getattr(options, "no_vcid", False)
        self.commands: list[str] = []
        self.dialed: list[tuple[str, str]] = []
        self.calls: list[dict[str, str]] = []
        self._schedule: list[tuple[float, bytes]] = []
        self._reset()

    def _reset(self) -> None:
        self.echo = True
        self.caller_id = False
        self.country = ""
        self.off_hook = False
        self._schedule = []
        self._ringing_until = 0.0

    def handle(self, frame: bytes) -> bytes | None:
        """Answer one AT command line."""
        text = frame.decode("ascii", "replace").strip()
        if not text:
            return None
        self.commands.append(text)
        echo = text.encode() + b"\r" if self.echo else b""  # echoed as typed, before it runs
        result = self._result(text.upper())
        return echo + b"\r\n" + result.encode() + b"\r\n"

    def _result(self, cmd: str) -> str:
        if not cmd.startswith("AT"):
            return "ERROR"
        body = cmd[2:]
        if body in ("", "I", "I0"):
            return "OK"
        if body == "Z":
            self._reset()
            return "OK"
        if body in ("E0", "E1", "E"):
            self.echo = body == "E1"
            return "OK"
        if body.startswith("+GCI="):
            self.country = body[5:]
            return "OK"
        if body in ("+VCID=1", "+VCID=2"):
            self.caller_id = self.vcid
            return "OK" if self.vcid else "ERROR"
        if body == "#CID=1":
            self.caller_id = True
            return "OK"
        if body in ("+VCID=0", "#CID=0"):
            self.caller_id = False
            return "OK"
        if body.startswith("D"):
            return self._dial(body[1:])
        if body == "A":
            if time.monotonic() >= self._ringing_until:
                return "NO CARRIER"  # nobody is calling (any more)
            self._schedule = []
            self._ringing_until = 0.0
            self.off_hook = True
            self.calls[-1]["answered"] = "yes"
            return "OK"
        if body in ("H", "H0"):
            self.off_hook = False
            self._schedule = []
            self._ringing_until = 0.0
            return "OK"
        return "ERROR"

    def _dial(self, rest: str) -> str:
        number = rest.lstrip("TP").rstrip(";")
        if not number or not all(c in "0123456789*#+," for c in number):
            return "ERROR"
        outcome = DIAL_OUTCOMES.get(number[-1], "OK")
        self.dialed.append((number, outcome))
        self.off_hook = outcome == "OK"
        return outcome

    # ------------------------------------------------------------------ incoming calls

    def on_control(self, cmd: str, args: list[str]) -> str | None:
        """``call NUMBER [NAME]`` rings the line; ``giveup`` stops it."""
        if cmd == "call":
            number = args[0]
            name = " ".join(args[1:])
            self._ring(number, name)
            return ""
        if cmd == "giveup":
            self._schedule = []
            self._ringing_until = 0.0
            return ""
        return None

    def _ring(self, number: str, name: str) -> None:
        now = time.monotonic()
        self.calls.append({"number": number, "name": name, "answered": "no"})
        ring = b"\r\nRING\r\n"
        schedule = [(now + i * self.ring_interval, ring) for i in range(max(1, self.rings))]
        if self.caller_id:
            stamp = time.localtime()
            if self.cid_style == "ddn":
                block = f"\r\nDDN_NMBR= {number}\r\n"
            else:
                block = (
                    f"\r\nDATE = {stamp.tm_mon:02d}{stamp.tm_mday:02d}\r\n"
                    f"TIME = {stamp.tm_hour:02d}{stamp.tm_min:02d}\r\n"
                    f"NMBR = {number}\r\n" + (f"NAME = {name}\r\n" if name else "")
                )
            schedule.append((now + self.ring_interval / 2, block.encode("utf-8")))
        self._schedule = sorted(schedule, key=lambda item: item[0])
        self._ringing_until = now + max(1, self.rings) * self.ring_interval

    def tick(self, now: float) -> bytes:
        """The rings and caller-ID block that are due."""
        due = [data for when, data in self._schedule if when <= now]
        self._schedule = [(when, data) for when, data in self._schedule if when > now]
        return b"".join(due)

    def next_tick(self, now: float) -> float | None:
        """Until the next ring."""
        return self._schedule[0][0] - now if self._schedule else None

    def describe(self) -> Any:
        """Echo, caller ID, hook state, what was dialled and which calls rang."""
        return {
            "echo": self.echo,
            "caller_id": self.caller_id,
            "country": self.country,
            "off_hook": self.off_hook,
            "ringing": time.monotonic() < self._ringing_until,
            "dialed": self.dialed,
            "calls": self.calls,
            "commands": self.commands[-20:],
        }
