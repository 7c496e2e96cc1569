"""One driver for every text-line display matrix; the protocol is a :class:`LineProfile`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from devices.errors import ConnectionLost, DeviceError, ProtocolError
from devices.matrix.profiles import LineProfile, get_profile
from devices.transport import Transport

_PORT_ERRORS: tuple[type[Exception], ...] = (OSError,)
try:  # pyserial lets termios.error (not an OSError) through when a pty or USB port hangs up
    import termios

    _PORT_ERRORS = (OSError, termios.error)
except ImportError:  # pragma: no cover - Windows
    pass


def drop_stale_input(transport: Transport) -> None:
    """Drop unread input (late replies, banners, garbage) before a command.

    A vanished port raises ConnectionLost, also where pyserial leaks a raw termios error.
    """
    try:
        transport.reset_input()
    except _PORT_ERRORS as exc:
        raise ConnectionLost(f"port gone while dropping stale input: {exc}") from exc


#: What a matrix reports: output → input feeding it (0 = nothing routed).
Routing = dict[int, int]


def _reply_number(text: str, line: str) -> int:
    """A port or size number from a reply; ProtocolError for a run of digits no device sends."""
    if len(text) > 9:
        raise ProtocolError(f"number too long in reply {line[:80]!r}", reply=line.encode("latin-1"))
    return int(text)


@dataclass(frozen=True)
class MatrixInfo:
    """What a matrix says about itself (fields the protocol does not give are None)."""

    model: str | None = None
    firmware: str | None = None
    inputs: int | None = None
    outputs: int | None = None
    raw: tuple[str, ...] = field(default=())


class LineMatrix:
    """A display matrix speaking a line protocol: Extron SIS, the "dot" protocol, Kramer P3000.

    The transport is passed in (see devices.transport); the protocol is data (a profile name
    from :data:`devices.matrix.profiles.PROFILES` or a :class:`LineProfile`). Every change
    returns the routing the device confirmed — from its reply where the reply states the tie,
    otherwise read back with a status query — and keeps :attr:`state` up to date.

    Errors: the device's own error codes raise :class:`ProtocolError` with ``code`` set (busy
    and timeout codes listed in ``profile.retryable`` are first retried ``retries`` times,
    ``retry_delay`` apart); a reply that fits no pattern raises ProtocolError; no reply within
    ``timeout`` raises :class:`DeviceTimeout`, a vanished port :class:`ConnectionLost`.
    """

    def __init__(
        self,
        transport: Transport,
        profile: str | LineProfile = "extron-sis",
        *,
        inputs: int | None = None,
        outputs: int | None = None,
        timeout: float | None = None,
        retries: int = 3,
        retry_delay: float = 0.05,
    ) -> None:
        self.transport = transport
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self.inputs = inputs
        self.outputs = outputs
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.state: Routing = {}
        p = self.profile
        self._error = re.compile(p.error)
        self._ignore = [re.compile(x) for x in p.ignore]
        self._ties = [re.compile(x) for x in p.ties]
        self._status = re.compile(p.status_reply)
        self._replies = {op: re.compile(x) for op, x in p.replies.items()}

    # ------------------------------------------------------------------ exchange

    def _encode(self, command: str) -> bytes:
        return command.encode("ascii") + self.profile.write_terminator

    def _read_line(self) -> str:
        """The next reply line, skipping banners and blank lines."""
        term = self.profile.read_terminator
        while True:
            raw = self.transport.read_until(term, self.timeout)
            line = raw[: -len(term)].decode("latin-1").strip()
            if line and not any(p.search(line) for p in self._ignore):
                return line

    def _raise_for_error(self, line: str, command: str, attempt: int) -> bool:
        """Raise for a non-retryable device error; True when the command should be retried."""
        match = self._error.search(line)
        if match is None:
            return False
        code = match.group("code").strip()
        if code in self.profile.retryable and attempt < self.retries:
            return True
        meaning = self.profile.error_messages.get(code, "device error")
        retried = f" after {attempt + 1} attempts" if code in self.profile.retryable else ""
        raise ProtocolError(
            f"{self.profile.name}: {command.strip()!r} answered {code} ({meaning}){retried}",
            code=code,
            reply=line.encode("latin-1"),
        )

    def command(self, op: str, template: str, **fields: object) -> str:
        """Send one command and return its reply line, checked against the op's reply pattern."""
        text = template.format(**fields)
        for attempt in range(self.retries + 1):
            drop_stale_input(self.transport)  # a late reply or banner must not answer this
            self.transport.write(self._encode(text))
            line = self._read_line()
            if self._raise_for_error(line, text, attempt):
                time.sleep(self.retry_delay)
                continue
            pattern = self._replies.get(op)
            if pattern is not None and not pattern.search(line):
                raise ProtocolError(
                    f"{self.profile.name}: unexpected reply {line!r} to {text.strip()!r}",
                    reply=line.encode("latin-1"),
                )
            return line
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _template(self, op: str) -> str:
        try:
            return self.profile.commands[op]
        except KeyError:
            raise DeviceError(f"{self.profile.name} has no {op.replace('_', ' ')}") from None

    def supports(self, op: str) -> bool:
        """Whether this protocol offers ``op`` (e.g. "route_many", "preset_store")."""
        return self.profile.supports(op)

    # ------------------------------------------------------------------ parsing

    def _parse_ties(self, line: str) -> Routing:
        for pattern in self._ties:
            found = {
                _reply_number(m["out"], line): _reply_number(m["inp"], line)
                for m in pattern.finditer(line)
            }
            if found:
                return found
        return {}

    def _confirm(self, wanted: Mapping[int, int], reply: str) -> Routing:
        """The confirmed ties for ``wanted`` outputs: from the reply, else read back."""
        ties = {} if self.profile.readback else self._parse_ties(reply)
        if not all(out in ties for out in wanted):
            ties = {out: self.status(out) or 0 for out in wanted}
        confirmed = {out: ties[out] for out in wanted}
        self._check(wanted, confirmed)
        self.state.update(confirmed)
        return confirmed

    def _check(self, wanted: Mapping[int, int], confirmed: Mapping[int, int]) -> None:
        wrong = {out: inp for out, inp in confirmed.items() if wanted.get(out, inp) != inp}
        if wrong:
            asked = ", ".join(f"{wanted[o]}→{o}" for o in wrong)
            got = ", ".join(f"{i}→{o}" for o, i in wrong.items())
            raise ProtocolError(f"{self.profile.name}: asked for {asked}, device reports {got}")

    @staticmethod
    def _number(value: int, what: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{what} must be an integer ≥ {minimum}, not {value!r}")
        return value

    # ------------------------------------------------------------------ operations

    def route(self, inp: int, out: int, layer: str | None = None) -> Routing:
        """Tie input ``inp`` to output ``out``; returns the confirmed ``{out: inp}``."""
        self._number(inp, "input")
        self._number(out, "output")
        layer = layer or self.profile.default_layer
        try:
            template = self.profile.route[layer]
        except KeyError:
            raise DeviceError(f"{self.profile.name} has no {layer!r} layer") from None
        reply = self.command("route", template, inp=inp, out=out)
        return self._confirm({out: inp}, reply)

    def route_many(self, inp: int, outs: Iterable[int]) -> Routing:
        """Tie ``inp`` to several outputs in one command; returns the confirmed ties."""
        self._number(inp, "input")
        outputs = [self._number(o, "output") for o in outs]
        if not outputs:
            return {}
        p = self.profile
        if not p.supports("route_many"):
            raise DeviceError(f"{p.name} has no route to several outputs")
        items = p.route_many_join.join(p.route_many_item.format(inp=inp, out=o) for o in outputs)
        reply = self.command("route_many", p.commands["route_many"], inp=inp, items=items)
        return self._confirm(dict.fromkeys(outputs, inp), reply)

    def route_all(self, inp: int) -> Routing:
        """Tie ``inp`` to every output; returns the routing read back."""
        self._number(inp, "input")
        self.command("route_all", self._template("route_all"), inp=inp)
        return self._read_back_all(inp)

    def disconnect(self, out: int) -> Routing:
        """Route nothing to ``out`` (output off); returns ``{out: 0}`` as confirmed."""
        self._number(out, "output")
        reply = self.command("disconnect", self._template("disconnect"), out=out)
        return self._confirm({out: 0}, reply)

    def disconnect_all(self) -> Routing:
        """Route nothing anywhere; returns the routing read back."""
        self.command("disconnect_all", self._template("disconnect_all"))
        return self._read_back_all(0)

    def one_to_one(self) -> Routing:
        """Input n to output n for every n; returns the routing read back."""
        self.command("one_to_one", self._template("one_to_one"))
        state = self.read_state()
        self._check({o: o for o in state if self.inputs is None or o <= self.inputs}, state)
        return state

    def output_on(self, out: int) -> Routing:
        """Switch output ``out`` back on (dot protocol); returns its tie read back."""
        self._number(out, "output")
        self.command("output_on", self._template("output_on"), out=out)
        inp = self.status(out) or 0
        self.state[out] = inp
        return {out: inp}

    def _read_back_all(self, inp: int) -> Routing:
        state = self.read_state()
        self._check(dict.fromkeys(state, inp), state)
        return state

    def status(self, out: int) -> int | None:
        """The input feeding ``out``, or None when nothing is routed to it."""
        self._number(out, "output")
        line = self.command("status", self.profile.status, out=out)
        match = self._status.search(line)
        ties = self._parse_ties(line) if match is None else {}
        if match is not None:
            said = match.groupdict().get("out")
            said_out = out if said is None else _reply_number(said, line)
            ties = {said_out: _reply_number(match["inp"], line)}
        if out not in ties:
            raise ProtocolError(
                f"{self.profile.name}: unexpected status reply {line!r} for output {out}",
                reply=line.encode("latin-1"),
            )
        inp = ties[out]
        self.state[out] = inp
        return inp or None

    def status_all(self) -> Routing:
        """The whole routing, ``{output: input}`` (0 = nothing routed)."""
        p = self.profile
        if "status_all" in p.commands:
            line = self.command("status_all", p.commands["status_all"])
            ties = self._parse_ties(line)
            if not ties:
                raise ProtocolError(
                    f"{p.name}: no ties in status reply {line!r}", reply=line.encode("latin-1")
                )
            if self.outputs is None:
                self.outputs = max(ties)
            ties = {o: i for o, i in ties.items() if o <= self.outputs}
        else:
            if self.outputs is None:
                self.identify()
            if self.outputs is None:
                raise DeviceError(f"{p.name}: output count unknown; pass outputs=")
            ties = {out: self.status(out) or 0 for out in range(1, self.outputs + 1)}
        self.state = dict(sorted(ties.items()))
        return dict(self.state)

    def read_state(self) -> Routing:
        """Read the whole routing back (on connect and after bulk changes)."""
        return self.status_all()

    def connect(self) -> Routing:
        """First contact: drop any banner, learn the size where the protocol says, read state."""
        drop_stale_input(self.transport)
        if self.profile.identify and (self.inputs is None or self.outputs is None):
            self.identify()
        return self.read_state()

    def preset_recall(self, n: int) -> Routing:
        """Recall preset ``n``; returns the routing read back."""
        self._number(n, "preset", 0)
        self.command("preset_recall", self._template("preset_recall"), n=n)
        return self.read_state()

    def preset_store(self, n: int) -> None:
        """Store the current routing as preset ``n``."""
        self._number(n, "preset", 0)
        self.command("preset_store", self._template("preset_store"), n=n)

    def ping(self) -> str:
        """A harmless query that proves the device answers (and keeps TCP sessions alive)."""
        return self.command("ping", self.profile.ping)

    def identify(self) -> MatrixInfo:
        """Model, firmware and size as far as the protocol tells; fills in unknown sizes."""
        values: dict[str, str] = {}
        raw: list[str] = []
        queries = self.profile.identify
        if not queries:
            line = self.ping()
            ties = self._parse_ties(line)
            if self.outputs is None and ties:
                self.outputs = max(ties)
            return MatrixInfo(inputs=self.inputs, outputs=self.outputs, raw=(line,))
        for query in queries:
            line = self.command("identify", query.command)
            raw.append(line)
            match = re.search(query.pattern, line)
            if match is None:
                raise ProtocolError(
                    f"{self.profile.name}: unexpected reply {line!r} to {query.command!r}",
                    reply=line.encode("latin-1"),
                )
            values.update({k: v for k, v in match.groupdict().items() if v is not None})
        said = " ".join(raw)
        inputs = _reply_number(values["inputs"], said) if "inputs" in values else None
        outputs = _reply_number(values["outputs"], said) if "outputs" in values else None
        self.inputs = self.inputs or inputs
        self.outputs = self.outputs or outputs
        return MatrixInfo(
            model=values.get("model"),
            firmware=values.get("firmware"),
            inputs=inputs,
            outputs=outputs,
            raw=tuple(raw),
        )

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()


class ExtronSIS(LineMatrix):
    """Extron SIS crosspoint (profile ``extron-sis``)."""

    def __init__(self, transport: Transport, **kwargs: object) -> None:
        super().__init__(transport, "extron-sis", **kwargs)  # type: ignore[arg-type]


class DotMatrix(LineMatrix):
    """Chinese OEM "01V02." matrix (profile ``dot``)."""

    def __init__(self, transport: Transport, **kwargs: object) -> None:
        super().__init__(transport, "dot", **kwargs)  # type: ignore[arg-type]


class KramerP3000(LineMatrix):
    """Kramer Protocol 3000 matrix (profile ``kramer-p3000``)."""

    def __init__(self, transport: Transport, **kwargs: object) -> None:
        super().__init__(transport, "kramer-p3000", **kwargs)  # type: ignore[arg-type]
