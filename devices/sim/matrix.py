"""Simulated display matrices: Extron SIS, the "dot" protocol, Kramer Protocol 3000 and 2000.

Each keeps an inputs × outputs routing (video and audio), presets, and answers exactly as
devices.md describes, including the device's own errors for inputs, outputs or presets out of
range (Extron E01/E12/E11, Kramer ``ERR 003``, Protocol 2000 error 2, dot ``ERROR``).
Options: ``--inputs 8 --outputs 8 --model NAME``. Routing starts one-to-one.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from devices.matrix.profiles import DOT, EXTRON_SIS
from devices.sim.base import SimDevice, split_fixed, split_lines


class RangeError(Exception):
    """A request names an input, output or preset the device does not have."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what  # "input", "output" or "preset"


class MatrixSim(SimDevice):
    """Routing state and presets shared by every matrix simulator."""

    default_model = "Matrix"

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        self.inputs: int = getattr(options, "inputs", 8)
        self.outputs: int = getattr(options, "outputs", 8)
        self.model: str = getattr(options, "model", None) or self.default_model
        one_to_one = {o: (o if o <= self.inputs else 0) for o in range(1, self.outputs + 1)}
        self.video: dict[int, int] = dict(one_to_one)
        self.audio: dict[int, int] = dict(one_to_one)
        self.presets: dict[int, tuple[dict[int, int], dict[int, int]]] = {}
        self.max_presets = 32

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Matrix size and model name."""
        parser.add_argument("--inputs", type=int, default=8, help="number of inputs (8)")
        parser.add_argument("--outputs", type=int, default=8, help="number of outputs (8)")
        parser.add_argument("--model", help="model name reported to identify queries")

    def check_input(self, inp: int) -> int:
        """``inp`` if the device has it (0 means "nothing")."""
        if not 0 <= inp <= self.inputs:
            raise RangeError("input")
        return inp

    def check_output(self, out: int) -> int:
        """``out`` if the device has it."""
        if not 1 <= out <= self.outputs:
            raise RangeError("output")
        return out

    def all_outputs(self) -> list[int]:
        """Every output number."""
        return list(range(1, self.outputs + 1))

    def tie(self, inp: int, outs: list[int], video: bool = True, audio: bool = True) -> None:
        """Route ``inp`` to ``outs`` after checking every number (all or nothing)."""
        self.check_input(inp)
        for out in outs:
            self.check_output(out)
        for out in outs:
            if video:
                self.video[out] = inp
            if audio:
                self.audio[out] = inp

    def store(self, n: int) -> None:
        """Save the routing as preset ``n``."""
        if not 1 <= n <= self.max_presets:
            raise RangeError("preset")
        self.presets[n] = (dict(self.video), dict(self.audio))

    def recall(self, n: int) -> None:
        """Restore preset ``n``."""
        if n not in self.presets:
            raise RangeError("preset")
        video, audio = self.presets[n]
        self.video, self.audio = dict(video), dict(audio)

    def describe(self) -> Any:
        """Routing and stored presets."""
        return {
            "video": {str(o): i for o, i in self.video.items()},
            "audio": {str(o): i for o, i in self.audio.items()},
            "presets": sorted(self.presets),
        }


# ---------------------------------------------------------------------- Extron SIS


_EXTRON_TIE = re.compile(rb"(\d+)\*(\d+)([!%$])")
_EXTRON_LAYER = {b"!": "All", b"%": "Vid", b"$": "Aud"}


class ExtronSim(MatrixSim):
    """Extron SIS: unterminated commands, CRLF replies, E-codes, a banner on TCP connect."""

    default_model = "Crosspoint 84 HVA"

    def banner(self) -> bytes:
        """Copyright line and date line, as a telnet session starts."""
        return EXTRON_SIS.banner.format(model=self.model).encode("ascii")

    def split(self, buffer: bytearray) -> list[bytes]:
        """Commands end in ``! % $ . ,``, are one letter (I, Q, N), or are ESC … CR."""
        frames: list[bytes] = []
        while buffer:
            first = buffer[0]
            if first in b"\r\n ":
                del buffer[:1]
                continue
            if first == 0x1B:
                size = buffer.find(b"\r") + 1
                if size == 0:
                    break  # ESC-Q waits for its CR
            elif chr(first) in "IQNiqn" or not (chr(first).isdigit() or first == ord("*")):
                size = 1  # an information request, or a junk byte (answered E10)
            else:
                digits = re.match(rb"[\d*]+", bytes(buffer))
                assert digits is not None
                if digits.end() == len(buffer):
                    break  # the rest of the command has not arrived yet
                size = digits.end() + 1
            frames.append(bytes(buffer[:size]))
            del buffer[:size]
        return frames

    def error_reply(self, code: str) -> bytes:
        """``E17`` + CRLF."""
        return code.encode("ascii") + b"\r\n"

    def handle(self, frame: bytes) -> bytes | None:
        """Ties, queries, presets and information requests."""
        try:
            return self._handle(frame) + b"\r\n"
        except RangeError as err:
            code = {"input": b"E01", "output": b"E12", "preset": b"E11"}[err.what]
            return code + b"\r\n"
        except ValueError:
            return b"E10\r\n"

    def _handle(self, frame: bytes) -> bytes:
        if frame.startswith(b"\x1bQ") or frame.startswith(b"\x1bq"):
            ties = _EXTRON_TIE.findall(frame)
            if not ties:
                raise ValueError(frame)
            for inp, out, _ in ties:  # check them all before changing anything
                self.check_input(int(inp))
                self.check_output(int(out))
            for inp, out, layer in ties:
                self.tie(int(inp), [int(out)], layer != b"$", layer != b"%")
            return b"Qik"
        letter = frame.upper()
        if letter == b"I":
            n_in, n_out = self.inputs, self.outputs
            return f"V{n_in}X{n_out} A{n_in}X{n_out}".encode()
        if letter == b"Q":
            return b"1.23"
        if letter == b"N":
            return b"60-336-02"
        if m := re.fullmatch(rb"(\d+)\*(\d+)([!%$])", frame):
            inp, out, layer = int(m[1]), int(m[2]), m[3]
            self.tie(inp, [out], layer != b"$", layer != b"%")
            return f"Out{out} In{inp} {_EXTRON_LAYER[layer]}".encode()
        if m := re.fullmatch(rb"(\d+)\*([!%$])", frame):
            inp, layer = int(m[1]), m[2]
            self.tie(inp, self.all_outputs(), layer != b"$", layer != b"%")
            return f"In{inp} {_EXTRON_LAYER[layer]}".encode()
        if m := re.fullmatch(rb"(\d+)([!%$])", frame):
            out = self.check_output(int(m[1]))
            return str((self.audio if m[2] == b"$" else self.video)[out]).encode()
        if m := re.fullmatch(rb"(\d+)\.", frame):
            self.recall(int(m[1]))
            return f"Rpr{int(m[1])}".encode()
        if m := re.fullmatch(rb"(\d+),", frame):
            self.store(int(m[1]))
            return f"Spr{int(m[1])}".encode()
        raise ValueError(frame)


# ---------------------------------------------------------------------- dot protocol


class DotSim(MatrixSim):
    """The Chinese OEM "dot" protocol: ``.``-terminated commands, free-text CRLF replies."""

    default_model = "HDMI Matrix 0808"

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        self.off: dict[int, int] = {}  # output switched off → the input it had

    def split(self, buffer: bytearray) -> list[bytes]:
        """Commands end in ``.``; stray CR/LF between them are dropped."""
        frames = split_lines(buffer, DOT.write_terminator)
        return [f.lstrip(b"\r\n ") for f in frames]

    def error_reply(self, code: str) -> bytes:
        """Vendors answer errors in free text; this one says ``ERROR`` (+ the code if given)."""
        return (code if code.upper().startswith("ERR") else f"ERROR {code}").encode() + b"\r\n"

    def handle(self, frame: bytes) -> bytes | None:
        """Echo an accepted command; ``Status`` queries say ``OUT02 IN01``."""
        command = frame[:-1].decode("ascii", "replace")
        try:
            reply = self._handle(command)
        except (RangeError, ValueError):
            reply = "ERROR"
        return reply.encode("ascii") + b"\r\n"

    def _status(self, out: int) -> str:
        inp = 0 if out in self.off else self.video[out]
        return f"OUT{out:02d} IN{inp:02d}"

    def _handle(self, command: str) -> str:
        echo = command + "."
        if m := re.fullmatch(r"(\d\d)([VBA])(\d\d(?:,\d\d)*)", command):
            outs = [int(o) for o in m[3].split(",")]
            self.tie(int(m[1]), outs, m[2] != "A", m[2] != "V")
            for out in outs:
                self.off.pop(out, None)
            return echo
        if m := re.fullmatch(r"(\d\d)All", command):
            self.tie(int(m[1]), self.all_outputs())
            self.off.clear()
            return echo
        if command == "All#":
            for out in self.all_outputs():
                self.tie(out if out <= self.inputs else 0, [out])
            self.off.clear()
            return echo
        if command == "All$":
            self.off = {out: self.video[out] for out in self.all_outputs()}
            return echo
        if m := re.fullmatch(r"(\d\d)([$@])", command):
            out = self.check_output(int(m[1]))
            if m[2] == "$":
                self.off[out] = self.video[out]
            else:
                self.off.pop(out, None)
            return echo
        if m := re.fullmatch(r"Status(\d\d)", command):
            return self._status(self.check_output(int(m[1])))
        if command == "Status":
            return ",".join(self._status(out) for out in self.all_outputs())
        if m := re.fullmatch(r"Save(\d+)", command):
            self.store(int(m[1]))
            return echo
        if m := re.fullmatch(r"Recall(\d+)", command):
            self.recall(int(m[1]))
            self.off.clear()
            return echo
        raise ValueError(command)


# ---------------------------------------------------------------------- Kramer Protocol 3000


class KramerP3000Sim(MatrixSim):
    """Kramer Protocol 3000: ``#…`` + CR in, ``~01@…`` + CRLF out, ``ERR 00n`` errors."""

    default_model = "VS-88UT"

    def split(self, buffer: bytearray) -> list[bytes]:
        """Commands end in CR (a following LF is tolerated)."""
        return [f.strip(b"\r\n") + b"\r" for f in split_lines(buffer, b"\r\n")]

    def error_reply(self, code: str) -> bytes:
        """``~01@ERR 003`` for code ``003`` or ``ERR 003``."""
        digits = code.split()[-1]
        return f"~01@ERR {digits}\r\n".encode()

    def handle(self, frame: bytes) -> bytes | None:
        """Every command of the chain gets its own reply line."""
        text = frame.rstrip(b"\r").decode("ascii", "replace")
        lines = [
            self._one(part if part.startswith("#") else "#" + part) for part in text.split("|")
        ]
        return "".join(f"~01@{line}\r\n" for line in lines).encode("ascii")

    def _parse_pairs(self, args: str) -> list[tuple[int, int | None]]:
        pairs: list[tuple[int, int | None]] = []
        for item in args.split(","):
            m = re.fullmatch(r"\s*(\d+)>(\d+|\*)\s*", item)
            if m is None:
                raise ValueError(item)
            pairs.append((int(m[1]), None if m[2] == "*" else int(m[2])))
        return pairs

    def _one(self, command: str) -> str:
        if len(command) > 64:
            return "ERR 001"
        name, _, args = command[1:].partition(" ")
        name = name.upper()
        try:
            return self._dispatch(name, args.strip())
        except RangeError:
            return f"{name} ERR 003" if name else "ERR 003"
        except ValueError:
            return "ERR 001"

    def _dispatch(self, name: str, args: str) -> str:
        if name == "":
            return " OK"
        if name in ("VID", "AUD", "AV"):
            pairs = self._parse_pairs(args)
            for inp, out in pairs:  # all or nothing
                self.check_input(inp)
                if out is not None:
                    self.check_output(out)
            for inp, out in pairs:
                outs = self.all_outputs() if out is None else [out]
                self.tie(inp, outs, name != "AUD", name != "VID")
            return f"{name} {args} OK"
        if name in ("VID?", "AUD?"):
            table = self.video if name == "VID?" else self.audio
            outs = self.all_outputs() if args == "*" else [self.check_output(int(args))]
            return f"{name[:-1]} " + ",".join(f"{table[o]}>{o}" for o in outs)
        if name == "ROUTE":
            layer, out, inp = (int(x) if x != "*" else -1 for x in args.split(","))
            outs = self.all_outputs() if out == -1 else [out]
            self.tie(inp, outs, layer != 1, layer == 1)
            return f"ROUTE {args} OK"
        if name == "ROUTE?":
            layer, out = (int(x) for x in args.split(","))
            table = self.audio if layer == 1 else self.video
            return f"ROUTE {layer},{out},{table[self.check_output(out)]}"
        if name == "PRST-RCL":
            self.recall(int(args))
            return f"PRST-RCL {int(args)} OK"
        if name == "PRST-STO":
            self.store(int(args))
            return f"PRST-STO {int(args)} OK"
        if name == "INFO-IO?":
            return f"INFO-IO IN {self.inputs},OUT {self.outputs}"
        if name == "MODEL?":
            return f"MODEL {self.model}"
        if name == "VERSION?":
            return "VERSION 1.12.123"
        return "ERR 002"


# ---------------------------------------------------------------------- Kramer Protocol 2000


class KramerP2000Sim(MatrixSim):
    """Kramer Protocol 2000: 4-byte frames, the reply echoes with bit 6 of byte 1 set."""

    default_model = "VS-88 (Protocol 2000)"
    reply_terminator = b""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Matrix size, model, and the machine number on the bus."""
        super().add_arguments(parser)
        parser.add_argument("--machine", type=int, default=1, help="machine number (1)")

    def split(self, buffer: bytearray) -> list[bytes]:
        """Fixed 4-byte frames."""
        return split_fixed(buffer, 4)

    def garbage(self, reply: bytes) -> bytes:
        """Four bytes that are no valid frame."""
        return b"\x7f\x00\xff\x13"

    def error_reply(self, code: str) -> bytes:
        """Instruction 16 with the error kind (0 error, 1 invalid, 2 range, 3 busy)."""
        kind = {"busy": 3, "range": 2, "invalid": 1}.get(code.lower())
        if kind is None:
            kind = int(code) if code.isdigit() else 0
        return bytes((0x50, 0x80 | kind, 0x80, 0x80 | getattr(self.options, "machine", 1)))

    def handle(self, frame: bytes) -> bytes | None:
        """Switch, status, setups and machine definition."""
        machine = getattr(self.options, "machine", 1)
        if frame[3] & 0x7F != machine:
            return None  # addressed to another machine on the bus
        instruction, a, b = frame[0] & 0x3F, frame[1] & 0x7F, frame[2] & 0x7F
        try:
            a, b = self._handle(instruction, a, b)
        except RangeError:
            return self.error_reply("range")
        except ValueError:
            return self.error_reply("invalid")
        return bytes((0x40 | instruction, 0x80 | a, 0x80 | b, 0x80 | machine))

    def _handle(self, instruction: int, a: int, b: int) -> tuple[int, int]:
        if instruction in (1, 2):
            outs = self.all_outputs() if b == 0 else [b]
            self.tie(a, outs, instruction == 1, instruction == 2)
            return a, b
        if instruction == 3:
            self.store(a)
            return a, b
        if instruction == 4:
            self.recall(a)
            return a, b
        if instruction in (5, 6):
            table = self.video if instruction == 5 else self.audio
            return table[self.check_output(b)], b
        if instruction == 62:
            value = {1: self.inputs, 2: self.outputs, 3: self.max_presets}.get(a)
            if value is None:
                raise RangeError("input")
            return a, value
        raise ValueError(instruction)
