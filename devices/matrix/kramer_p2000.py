"""Kramer Protocol 2000: 4-byte binary frames (instruction, 0x80|input, 0x80|output, 0x80|machine).

The device answers an instruction with the same frame, bit 6 of the instruction set
(``01 81 82 81`` → ``41 81 82 81``). Instruction 16 (reply ``50``) reports an error with its
kind in the input byte: 0 error, 1 invalid instruction, 2 out of range, 3 busy (busy is retried).
Written against the Protocol 2000 tables of the VS-88/VS-1616 manuals.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import MappingProxyType

from devices.errors import DeviceError, ProtocolError
from devices.matrix.line import MatrixInfo, Routing, drop_stale_input
from devices.transport import Transport

SWITCH_VIDEO = 1
SWITCH_AUDIO = 2
STORE_SETUP = 3
RECALL_SETUP = 4
REQUEST_VIDEO_STATUS = 5
REQUEST_AUDIO_STATUS = 6
ERROR = 16
DEFINE_MACHINE = 62

ERRORS: Mapping[int, str] = MappingProxyType(
    {0: "error", 1: "invalid instruction", 2: "parameter out of range", 3: "busy"}
)
RETRYABLE = frozenset({3})


def frame(instruction: int, inp: int, out: int, machine: int) -> bytes:
    """Encode one Protocol 2000 frame."""
    for name, value in (("input", inp), ("output", out), ("machine", machine)):
        if not 0 <= value <= 0x7F:
            raise ValueError(f"{name} {value} does not fit Protocol 2000 (0–127)")
    return bytes((instruction & 0x3F, 0x80 | inp, 0x80 | out, 0x80 | machine))


class KramerP2000:
    """A Kramer matrix speaking binary Protocol 2000 (serial, or TCP through a converter)."""

    def __init__(
        self,
        transport: Transport,
        *,
        machine: int = 1,
        inputs: int | None = None,
        outputs: int | None = None,
        timeout: float | None = None,
        retries: int = 3,
        retry_delay: float = 0.05,
    ) -> None:
        self.transport = transport
        self.machine = machine
        self.inputs = inputs
        self.outputs = outputs
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.state: Routing = {}

    def exchange(self, instruction: int, inp: int, out: int) -> bytes:
        """Send one frame and return the device's answer to it (error frames raise)."""
        request = frame(instruction, inp, out, self.machine)
        for attempt in range(self.retries + 1):
            drop_stale_input(self.transport)
            self.transport.write(request)
            reply = self.transport.read_exact(4, self.timeout)
            if any(b & 0x80 == 0 for b in reply[1:]) or reply[0] & 0x80:
                raise ProtocolError(f"Kramer P2000: garbled reply {reply.hex(' ')}", reply=reply)
            code = reply[0] & 0x3F
            if code == ERROR:
                kind = reply[1] & 0x7F
                if kind in RETRYABLE and attempt < self.retries:
                    time.sleep(self.retry_delay)
                    continue
                raise ProtocolError(
                    f"Kramer P2000: {request.hex(' ')} answered error {kind} "
                    f"({ERRORS.get(kind, 'unknown')})",
                    code=str(kind),
                    reply=reply,
                )
            if code != instruction or not reply[0] & 0x40:
                raise ProtocolError(
                    f"Kramer P2000: reply {reply.hex(' ')} does not answer {request.hex(' ')}",
                    reply=reply,
                )
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def route(self, inp: int, out: int, layer: str = "video") -> Routing:
        """Tie ``inp`` to ``out`` (output 0 = all outputs); returns the confirmed ties."""
        if out == 0:
            return self.route_all(inp)
        reply = self.exchange(SWITCH_AUDIO if layer == "audio" else SWITCH_VIDEO, inp, out)
        confirmed = {reply[2] & 0x7F: reply[1] & 0x7F}
        if confirmed != {out: inp}:
            raise ProtocolError(f"Kramer P2000: asked {inp}→{out}, reply {reply.hex(' ')}")
        self.state.update(confirmed)
        return confirmed

    def route_all(self, inp: int) -> Routing:
        """Tie ``inp`` to every output; returns the routing read back."""
        self.exchange(SWITCH_VIDEO, inp, 0)
        return self.read_state()

    def disconnect(self, out: int) -> Routing:
        """Route nothing to ``out``."""
        reply = self.exchange(SWITCH_VIDEO, 0, out)
        self.state[out] = reply[1] & 0x7F
        return {out: self.state[out]}

    def status(self, out: int) -> int | None:
        """The input feeding ``out`` (None: nothing)."""
        reply = self.exchange(REQUEST_VIDEO_STATUS, 0, out)
        if reply[2] & 0x7F != out:
            raise ProtocolError(f"Kramer P2000: status for another output: {reply.hex(' ')}")
        inp = reply[1] & 0x7F
        self.state[out] = inp
        return inp or None

    def status_all(self) -> Routing:
        """The whole routing, one query per output."""
        if self.outputs is None:
            self.identify()
        if self.outputs is None:  # pragma: no cover - identify sets it or raises
            raise DeviceError("Kramer P2000: output count unknown")
        state = {out: self.status(out) or 0 for out in range(1, self.outputs + 1)}
        self.state = state
        return dict(state)

    def read_state(self) -> Routing:
        """Read the whole routing back."""
        return self.status_all()

    def connect(self) -> Routing:
        """Learn the size and read the routing."""
        drop_stale_input(self.transport)
        if self.inputs is None or self.outputs is None:
            self.identify()
        return self.read_state()

    def preset_recall(self, n: int) -> Routing:
        """Recall setup ``n``; returns the routing read back."""
        self.exchange(RECALL_SETUP, n, 0)
        return self.read_state()

    def preset_store(self, n: int) -> None:
        """Store the current routing as setup ``n``."""
        self.exchange(STORE_SETUP, n, 0)

    def identify(self) -> MatrixInfo:
        """Number of inputs and outputs (instruction 62, "define machine")."""
        inputs = self.exchange(DEFINE_MACHINE, 1, 1)[2] & 0x7F
        outputs = self.exchange(DEFINE_MACHINE, 2, 1)[2] & 0x7F
        self.inputs = self.inputs or inputs
        self.outputs = self.outputs or outputs
        return MatrixInfo(model="Kramer (Protocol 2000)", inputs=inputs, outputs=outputs)

    def ping(self) -> str:
        """Prove the device answers."""
        return self.exchange(DEFINE_MACHINE, 1, 1).hex(" ")

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()
