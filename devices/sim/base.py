r"""Serve one simulated device as its own process, on a pty or a loopback TCP port.

Simulators run as separate processes (a fake device in a thread of the driver's process
starves blocking reads, see platform.md), driven by the real drivers in end-to-end tests and by
``--demo``. The runner owns everything that is the same for every protocol: the pty or TCP
listener, wire time, and misbehaving on command. A protocol is one small class.

Adding a simulator (e.g. for PTZ):

1. In ``devices/sim/<kind>.py`` subclass :class:`SimDevice`::

       class PelcoDSim(SimDevice):
           '''Pelco-D camera: 7-byte frames, motion commands get no reply.'''

           reply_terminator = b""                 # garble keeps this suffix, so framing holds

           def split(self, buffer: bytearray) -> list[bytes]:
               return split_fixed(buffer, 7)     # or split_lines(buffer, b"\r") (the default)

           def handle(self, frame: bytes) -> bytes | None:
               ...                               # update state; return the reply or None

           def error_reply(self, code: str) -> bytes:
               ...                               # what `error CODE` on the control channel sends

   Optional: ``banner()`` (sent to each TCP client on connect), ``add_arguments(parser)``
   (a classmethod adding CLI options; ``self.options`` holds the parsed namespace),
   ``garbage(reply)`` and ``describe()`` (a JSON-able state shown by the ``state`` command),
   ``on_control(cmd, args)`` (the device's own control commands, e.g. ``call NUMBER`` on a modem)
   and ``tick(now)`` with ``next_tick(now)`` (bytes the device sends on its own when they are
   due, e.g. RING every few seconds; the runner wakes up for them).
2. Register it: one line in ``SIMULATORS`` in ``devices/sim/__init__.py``,
   ``"pelco-d": "devices.sim.ptz:PelcoDSim"``.
3. Run it: ``python -m devices.sim pelco-d --pty [--baud 2400]`` or ``--tcp 0``.

A device that is a TCP *client* (a monitoring station dialling the platform) returns the
addresses from ``outgoing()`` (one connection, "link", per entry) and sends on them with
``tick_links(now)`` (``(link index, bytes)`` pairs; ``next_tick`` wakes the runner for them).
The runner dials each link, says ``CONNECTED link N HOST:PORT`` / ``DISCONNECTED link N``,
hands what the peer sends to ``split``/``handle`` like any client's bytes (a reply of the device
goes back on that link), and redials ``reconnect_delay`` seconds after a drop (``disconnect
[SECONDS]`` hangs the links up and keeps them down at least that long). It still listens on its
``--pty``/``--tcp`` too, as every simulator does.

The first stdout line says where it listens: ``LISTENING pty /dev/pts/7`` (the pty is opened by
the runner itself with ``os.openpty()``: no socat needed, and the runner keeps the client side
open too, so a client closing and reopening the path is harmless; ``--link PATH`` adds a
stable symlink) or ``LISTENING tcp 127.0.0.1:41234`` (``--tcp 0`` picks a free port).

Before each reply the runner sleeps for the wire time of the request and the reply at
``--baud`` (10 bits a byte; ``--baud 0`` for none), as a real serial line would take.

Control channel: one command a line on stdin, each answered on stdout by ``OK <command>``
(after it took effect) or ``ERR <reason>``:

``garble [N]``       the next N replies (default 1) are garbage, framing kept
``drop [N]``         the next N replies are not sent
``silent``           no replies at all until ``normal``
``error CODE [N]``   the next N replies are the device's own error CODE (e.g. ``error E17 2``)
``delay SECONDS``    extra latency before every reply
``baud N``           change the simulated wire speed
``disconnect``       hang up: TCP clients are closed; a pty is closed and a new one opened
                     (a new ``LISTENING`` line follows, ``--link`` is moved to it); outgoing
                     links redial after ``reconnect_delay`` (``disconnect SECONDS``: after that)
``normal``           forget every misbehaviour
``reset``            ``normal``, and a fresh device state (as if just switched on)
``state``            ``OK state {json}``: the device's state as ``describe()`` gives it
``quit``             exit

Any other command goes to the device's ``on_control()`` (e.g. ``call 13800138000 ZHANG``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import select
import signal
import socket
import sys
import time
import tty
from dataclasses import dataclass, field
from typing import Any

MAX_BUFFER = 4096  # a client sending junk without terminators cannot grow us without bound


def split_lines(buffer: bytearray, terminators: bytes = b"\r\n") -> list[bytes]:
    """Take complete frames ending in any byte of ``terminators`` off ``buffer`` (kept on them).

    Empty frames (the LF of a CRLF) are dropped.
    """
    frames: list[bytes] = []
    start = 0
    for i, byte in enumerate(buffer):
        if byte in terminators:
            frame = bytes(buffer[start : i + 1])
            start = i + 1
            if frame.strip(terminators):
                frames.append(frame)
    del buffer[:start]
    return frames


def split_fixed(buffer: bytearray, size: int) -> list[bytes]:
    """Take complete fixed-size binary frames off ``buffer``."""
    count = len(buffer) // size
    frames = [bytes(buffer[i * size : (i + 1) * size]) for i in range(count)]
    del buffer[: count * size]
    return frames


class SimDevice:
    """One simulated device: framing, state and replies. Subclass per protocol."""

    #: Suffix kept on garbled replies, so a line-based driver still sees one complete line.
    reply_terminator: bytes = b"\r\n"

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        self.profile = profile
        self.options = options

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add this simulator's own command-line options."""

    def banner(self) -> bytes:
        """Bytes sent to each TCP client when it connects."""
        return b""

    def split(self, buffer: bytearray) -> list[bytes]:
        """Take complete request frames off ``buffer`` (default: CR/LF-terminated lines)."""
        return split_lines(buffer)

    def handle(self, frame: bytes) -> bytes | None:
        """Act on one request frame and return the reply, or None when the device is quiet."""
        raise NotImplementedError

    def error_reply(self, code: str) -> bytes:
        """The device's own reply for error ``code``."""
        return code.encode("ascii", "replace") + self.reply_terminator

    def garbage(self, reply: bytes) -> bytes:
        """A garbled version of ``reply`` that keeps its framing."""
        return b"#\x7f?%garbage\xfe" + self.reply_terminator

    def describe(self) -> Any:
        """JSON-able state for the ``state`` control command."""
        return {}

    def on_control(self, cmd: str, args: list[str]) -> str | None:
        """Act on a control command of this device's own; None when it is not one.

        Returns the text after ``OK`` ("" repeats the command); raise ValueError (or
        IndexError) for bad arguments.
        """
        return None

    def tick(self, now: float) -> bytes:
        """Bytes the device sends on its own that are due at ``now`` (``time.monotonic()``)."""
        return b""

    def next_tick(self, now: float) -> float | None:
        """Seconds until ``tick`` has something to send; None when nothing is scheduled."""
        return None

    #: Seconds before a dropped outgoing link is dialled again.
    reconnect_delay: float = 1.0

    def outgoing(self) -> list[tuple[str, int]]:
        """Addresses this device dials as a TCP client, one link each (default: none)."""
        return []

    def tick_links(self, now: float) -> list[tuple[int, bytes]]:
        """``(link index, bytes)`` the device sends on its outgoing links, due at ``now``."""
        return []

    def on_link(self, index: int, up: bool) -> None:
        """Outgoing link ``index`` connected (``up``) or dropped."""


@dataclass
class Misbehaviour:
    """What the control channel asked for."""

    garble: int = 0
    drop: int = 0
    silent: bool = False
    error_code: str = ""
    error_count: int = 0
    delay: float = 0.0

    def reset(self) -> None:
        """Behave again."""
        self.garble = self.drop = self.error_count = 0
        self.silent = False
        self.error_code = ""
        self.delay = 0.0


@dataclass
class _Client:
    fd: int
    sock: socket.socket | None
    buffer: bytearray = field(default_factory=bytearray)
    link: int = -1  # index of the outgoing link, -1 for a client that connected to us


class Runner:
    """The process around one :class:`SimDevice`: listener, wire time, control channel."""

    def __init__(self, device: SimDevice, baud: int, out: Any = None) -> None:
        self.device = device
        self.baud = baud
        self.bad = Misbehaviour()
        self.out = out if out is not None else sys.stdout
        self.clients: dict[int, _Client] = {}
        self.listener: socket.socket | None = None
        self.pty_fds: tuple[int, int] | None = None  # (master, our own slave fd)
        self.link: str | None = None
        self.running = True
        self.links: list[_Client | None] = []  # outgoing connections (devices that dial out)
        self.link_addresses: list[tuple[str, int]] = []
        self.link_retry: list[float] = []  # monotonic time each down link is dialled again

    # ------------------------------------------------------------------ listening

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def open_pty(self, link: str | None = None) -> str:
        """Open a pty; clients open the returned slave path (or ``link``)."""
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing, no CR/LF translation
        path = os.ttyname(slave)
        os.set_blocking(master, False)
        self.pty_fds = (master, slave)
        self.clients[master] = _Client(master, None)
        if link:
            self.link = link
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)
            os.symlink(path, link)
        self._say(f"LISTENING pty {path}")
        return path

    def close_pty(self) -> None:
        """Hang up the pty: the client's next read or write fails."""
        if self.pty_fds is None:
            return
        master, slave = self.pty_fds
        self.clients.pop(master, None)
        for fd in (master, slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pty_fds = None

    def open_tcp(self, host: str, port: int) -> tuple[str, int]:
        """Listen on ``host:port`` (0 picks a free port)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart on the same port
        sock.bind((host, port))
        sock.listen(4)
        sock.setblocking(False)
        self.listener = sock
        bound_host, bound_port = sock.getsockname()[:2]
        self._say(f"LISTENING tcp {bound_host}:{bound_port}")
        return bound_host, bound_port

    def _accept(self) -> None:
        assert self.listener is not None
        try:
            conn, _ = self.listener.accept()
        except BlockingIOError:
            return
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.setblocking(True)
        self.clients[conn.fileno()] = _Client(conn.fileno(), conn)
        banner = self.device.banner()
        if banner:
            self._send(self.clients[conn.fileno()], banner)

    def _drop_client(self, client: _Client) -> None:
        self.clients.pop(client.fd, None)
        if client.sock is not None:
            with contextlib.suppress(OSError):
                client.sock.close()
        if 0 <= client.link < len(self.links) and self.links[client.link] is client:
            self.links[client.link] = None
            self.link_retry[client.link] = max(
                self.link_retry[client.link], time.monotonic() + self.device.reconnect_delay
            )
            self._say(f"DISCONNECTED link {client.link}")
            self.device.on_link(client.link, False)

    # ------------------------------------------------------------------ dialling out

    def _dial(self) -> None:
        """Connect every outgoing link that is down and due."""
        if not self.link_addresses:
            self.link_addresses = list(self.device.outgoing())
            self.links = [None] * len(self.link_addresses)
            self.link_retry = [0.0] * len(self.link_addresses)
        now = time.monotonic()
        for index, (host, port) in enumerate(self.link_addresses):
            if self.links[index] is not None or now < self.link_retry[index]:
                continue
            try:
                conn = socket.create_connection((host, port), timeout=1.0)
            except OSError:
                self.link_retry[index] = now + self.device.reconnect_delay
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(None)
            client = _Client(conn.fileno(), conn, link=index)
            self.clients[conn.fileno()] = client
            self.links[index] = client
            self._say(f"CONNECTED link {index} {host}:{port}")
            self.device.on_link(index, True)

    def _next_dial(self, now: float) -> float | None:
        waits = [
            self.link_retry[i] - now for i, client in enumerate(self.links) if client is None
        ]
        return min(waits) if waits else None

    def _send_links(self) -> None:
        for index, data in self.device.tick_links(time.monotonic()):
            if self.bad.silent:
                continue
            client = self.links[index] if 0 <= index < len(self.links) else None
            if client is not None and data:
                self._send(client, data)

    def hang_up(self, hold: float = 0.0) -> None:
        """Close every TCP client (outgoing links redial after ``hold`` s at the earliest)."""
        until = time.monotonic() + hold
        self.link_retry = [max(t, until) for t in self.link_retry]
        for client in list(self.clients.values()):
            if client.sock is not None:
                self._drop_client(client)
        if self.pty_fds is not None:
            self.close_pty()
            self.open_pty(self.link)

    # ------------------------------------------------------------------ serving

    def _send(self, client: _Client, data: bytes) -> None:
        try:
            if client.sock is not None:
                client.sock.sendall(data)
            else:
                view = memoryview(data)
                while view:
                    try:
                        view = view[os.write(client.fd, view) :]
                    except BlockingIOError:
                        select.select([], [client.fd], [], 1.0)
        except OSError:
            self._drop_client(client)

    def wire_seconds(self, nbytes: int) -> float:
        """Time ``nbytes`` take on the simulated line (10 bits a byte)."""
        return nbytes * 10 / self.baud if self.baud > 0 else 0.0

    def _reply_for(self, frame: bytes) -> bytes | None:
        reply = self.device.handle(frame)
        bad = self.bad
        if bad.silent:
            return None
        if bad.error_count > 0:
            bad.error_count -= 1
            return self.device.error_reply(bad.error_code)
        if reply is None:
            return None
        if bad.drop > 0:
            bad.drop -= 1
            return None
        if bad.garble > 0:
            bad.garble -= 1
            return self.device.garbage(reply)
        return reply

    def _serve(self, client: _Client) -> None:
        try:
            data = client.sock.recv(4096) if client.sock is not None else os.read(client.fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            if client.sock is not None:
                self._drop_client(client)
            return
        client.buffer += data
        for frame in self.device.split(client.buffer):
            reply = self._reply_for(frame)
            if reply is None:
                continue
            time.sleep(self.wire_seconds(len(frame) + len(reply)) + self.bad.delay)
            self._send(client, reply)
        if len(client.buffer) > MAX_BUFFER:
            client.buffer.clear()

    # ------------------------------------------------------------------ control

    def control(self, line: str) -> str:
        """Apply one control command; return the line to print."""
        words = line.split()
        if not words:
            return "ERR empty command"
        cmd, args = words[0].lower(), words[1:]
        bad = self.bad
        try:
            if cmd in ("garble", "drop"):
                setattr(bad, cmd, int(args[0]) if args else 1)
            elif cmd == "silent":
                bad.silent = True
            elif cmd == "error":
                bad.error_code = args[0]
                bad.error_count = int(args[1]) if len(args) > 1 else 1
            elif cmd == "delay":
                bad.delay = float(args[0])
            elif cmd == "baud":
                self.baud = int(args[0])
            elif cmd == "normal":
                bad.reset()
            elif cmd == "reset":
                bad.reset()
                self.device = type(self.device)(self.device.profile, self.device.options)
            elif cmd == "disconnect":
                self.hang_up(float(args[0]) if args else 0.0)
            elif cmd == "state":
                return "OK state " + json.dumps(self.device.describe(), sort_keys=True)
            elif cmd == "quit":
                self.running = False
            else:
                own = self.device.on_control(cmd, args)
                if own is None:
                    return f"ERR unknown command {cmd!r}"
                if own:
                    return "OK " + own
        except (IndexError, ValueError) as exc:
            return f"ERR {line.strip()!r}: {exc}"
        return "OK " + " ".join(words)

    def run(self, control_fd: int | None = None) -> None:
        """Serve until ``quit`` or a signal."""
        stdin_buf = bytearray()
        while self.running:
            self._dial()
            fds: list[int] = list(self.clients)
            if self.listener is not None:
                fds.append(self.listener.fileno())
            if control_fd is not None:
                fds.append(control_fd)
            wait = self.device.next_tick(time.monotonic())
            dial = self._next_dial(time.monotonic())
            if dial is not None:
                wait = dial if wait is None else min(wait, dial)
            wait = 1.0 if wait is None else min(1.0, max(0.0, wait))
            ready, _, _ = select.select(fds, [], [], wait)
            for fd in ready:
                if fd == control_fd:
                    chunk = os.read(fd, 4096)
                    if not chunk:  # stdin closed: keep serving, without a control channel
                        control_fd = None
                        continue
                    stdin_buf += chunk
                    while b"\n" in stdin_buf:
                        raw, _, rest = stdin_buf.partition(b"\n")
                        stdin_buf[:] = rest
                        self._say(self.control(raw.decode("utf-8", "replace")))
                elif self.listener is not None and fd == self.listener.fileno():
                    self._accept()
                elif fd in self.clients:
                    self._serve(self.clients[fd])
            self._send_unsolicited()

    def _send_unsolicited(self) -> None:
        if self.links:
            self._send_links()
        data = self.device.tick(time.monotonic())
        if not data or self.bad.silent:
            return
        for client in list(self.clients.values()):
            self._send(client, data)

    def close(self) -> None:
        """Release the pty, the link and every socket."""
        for client in list(self.clients.values()):
            if client.sock is not None:
                self._drop_client(client)
        self.close_pty()
        if self.link:
            with contextlib.suppress(OSError):
                os.unlink(self.link)
        if self.listener is not None:
            self.listener.close()


def load_simulator(profile: str) -> type[SimDevice]:
    """The simulator class registered for ``profile`` in ``devices.sim.SIMULATORS``."""
    from devices.sim import SIMULATORS

    try:
        target = SIMULATORS[profile]
    except KeyError:
        known = ", ".join(sorted(SIMULATORS))
        raise SystemExit(f"unknown profile {profile!r}; known: {known}") from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, SimDevice)):
        raise SystemExit(f"{target} is not a SimDevice")
    return cls


def main(argv: list[str] | None = None) -> int:
    """``python -m devices.sim PROFILE (--pty | --tcp PORT) [--baud N] [device options]``."""
    argv = sys.argv[1:] if argv is None else argv
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("profile", nargs="?")
    known, _ = pre.parse_known_args(argv)

    parser = argparse.ArgumentParser(
        prog="python -m devices.sim",
        description="Serve one simulated device; control commands are read from stdin.",
    )
    parser.add_argument("profile", help="simulator profile, e.g. extron-sis")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve on a new pty")
    where.add_argument("--tcp", type=int, metavar="PORT", help="serve on TCP (0: free port)")
    parser.add_argument("--host", default="127.0.0.1", help="TCP address (default 127.0.0.1)")
    parser.add_argument("--link", help="with --pty: also make this symlink to the pty")
    parser.add_argument(
        "--baud", type=int, default=9600, help="simulated wire speed; 0 for no wire delay"
    )
    device_cls: type[SimDevice] | None = None
    if known.profile and not known.profile.startswith("-"):
        device_cls = load_simulator(known.profile)
        device_cls.add_arguments(parser)
    args = parser.parse_args(argv)
    if device_cls is None:
        device_cls = load_simulator(args.profile)

    device = device_cls(args.profile, args)
    runner = Runner(device, args.baud)

    def _stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if args.pty:
            runner.open_pty(args.link)
        else:
            runner.open_tcp(args.host, args.tcp)
        runner.run(sys.stdin.fileno())
    except SystemExit:
        pass
    finally:
        runner.close()
    return 0
