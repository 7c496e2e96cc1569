r"""A scripted PBX speaking the Asterisk Manager Interface, on TCP: ``python -m devices.sim ami``.

AMI is event-driven: calls answer seconds after the Originate, events go to every logged-in
client at any time, and a reply may wait for a call. The frame-synchronous runner in
``devices/sim/base.py`` (one reply per request frame, to the requesting client only) cannot
express that, so this simulator is a self-contained asyncio server with the same command line
shape, the same ``LISTENING tcp HOST:PORT`` first line and the same kind of stdin control
channel. :class:`AmiSim` is registered like every simulator; constructing it hands the process
to :func:`serve`.

    python -m devices.sim ami --tcp 5038 [--secret S] [--username U] [--script FILE.json]

Parties (the endpoint after ``PJSIP/`` in an Originate's ``Channel``) behave by a script:
8001–8009 answer after ``--answer-delay`` s (0.3), 8666 is busy, 8777 does not answer (rings
until the Originate's ``Timeout``), 8888 is congested, anything else is unavailable. A JSON
``--script`` adds or replaces entries::

    {"8100": {"do": "answer", "after": 2.0, "hangup_after": 30}, "8200": "busy"}

(``do``: ``answer``, ``busy``, ``noanswer``, ``congestion``, ``unavailable``).

Actions: Login, Logoff, Ping, Originate (``Exten``/``Context`` or ``Application: ConfBridge``
with ``Data`` the conference; ``Async``), ConfbridgeList, ConfbridgeMute, ConfbridgeUnmute,
ConfbridgeKick, Redirect, Hangup; anything else is ``Invalid/unknown command``.

Control channel (stdin, one command a line, answered ``OK <command>`` or ``ERR <reason>``):

``incoming NUMBER [NAME] EXTEN``  a call from NUMBER rings at extension EXTEN
``hangup CHANNEL|all``            the party on CHANNEL (or everyone) hangs up
``disconnect``                    close every client connection
``partial [N]``                   the next N messages (default 10) go out in tiny TCP writes
``interleave [N]``                the next N replies (default 5) have unrelated events
                                  before, between and after their messages
``garble [N]``                    the next N replies are garbage (the ActionID line kept)
``silent``                        send nothing at all until ``normal``
``delay SECONDS``                 wait before every reply
``normal``                        forget every misbehaviour
``reset``                         ``normal``, and hang up every call (clients stay connected)
``state``                         ``OK state {json}``: calls and conferences
``quit``                          exit
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import socket
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from devices.phone.ami_events import AmiMessage, MessageSplitter, encode_pairs
from devices.sim.base import SimDevice

GREETING = b"Asterisk Call Manager/5.0.1\r\n"
STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
BEHAVIOURS = ("answer", "busy", "noanswer", "congestion", "unavailable")
#: OriginateResponse Reason, DialStatus, Hangup Cause and Cause-txt per outcome.
OUTCOMES: dict[str, tuple[int, str, int, str]] = {
    "answer": (4, "ANSWER", 16, "Normal Clearing"),
    "busy": (5, "BUSY", 17, "User busy"),
    "noanswer": (3, "NOANSWER", 19, "User alerted, no answer"),
    "congestion": (8, "CONGESTION", 34, "Circuit/channel congestion"),
    "unavailable": (0, "CHANUNAVAIL", 20, "Subscriber absent"),
}

Pairs = list[tuple[str, object]]


@dataclass(frozen=True)
class Behaviour:
    """What a party does when called."""

    do: str = "answer"
    after: float = 0.3  # seconds of ringing before answering (or before busy/congestion)
    hangup_after: float | None = None  # an answered party hangs up after this many seconds


def default_script(answer_delay: float) -> dict[str, Behaviour]:
    """8001–8009 answer, 8666 busy, 8777 no answer, 8888 congestion."""
    script = {f"800{i}": Behaviour("answer", answer_delay) for i in range(1, 10)}
    script["8666"] = Behaviour("busy", 0.1)
    script["8777"] = Behaviour("noanswer")
    script["8888"] = Behaviour("congestion", 0.1)
    return script


def load_script(path: str, answer_delay: float) -> dict[str, Behaviour]:
    """The default script with the entries of a JSON file added or replaced."""
    script = default_script(answer_delay)
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for number, entry in data.items():
        spec = {"do": entry} if isinstance(entry, str) else dict(entry)
        if spec.get("do") not in BEHAVIOURS:
            raise SystemExit(f"{path}: {number}: 'do' must be one of {', '.join(BEHAVIOURS)}")
        script[str(number)] = Behaviour(
            spec["do"],
            float(spec.get("after", answer_delay if spec["do"] == "answer" else 0.1)),
            None if spec.get("hangup_after") is None else float(spec["hangup_after"]),
        )
    return script


@dataclass
class Channel:
    """One call leg."""

    name: str
    uniqueid: str
    linkedid: str
    state: int = 0
    caller: tuple[str, str] = ("", "")  # (number, name)
    connected: tuple[str, str] = ("", "")
    context: str = "from-internal"
    exten: str = "s"
    conference: str = ""
    muted: bool = False
    bridge: str = ""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def fields(self, prefix: str = "") -> Pairs:
        """The standard channel block of an event (``Dest`` prefix for a dialled leg)."""
        return [
            (prefix + "Channel", self.name),
            (prefix + "ChannelState", self.state),
            (prefix + "ChannelStateDesc", STATE_DESC.get(self.state, "Unknown")),
            (prefix + "CallerIDNum", self.caller[0] or "<unknown>"),
            (prefix + "CallerIDName", self.caller[1] or "<unknown>"),
            (prefix + "ConnectedLineNum", self.connected[0] or "<unknown>"),
            (prefix + "ConnectedLineName", self.connected[1] or "<unknown>"),
            (prefix + "Language", "en"),
            (prefix + "AccountCode", ""),
            (prefix + "Context", self.context),
            (prefix + "Exten", self.exten),
            (prefix + "Priority", 1),
            (prefix + "Uniqueid", self.uniqueid),
            (prefix + "Linkedid", self.linkedid),
        ]


@dataclass(eq=False)
class Client:
    """One manager connection."""

    writer: asyncio.StreamWriter
    out: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    authed: bool = False
    events: bool = False


def parse_caller_id(text: str) -> tuple[str, str]:
    """``"Duty" <8001>`` → ("8001", "Duty")."""
    text = text.strip()
    if "<" in text and text.endswith(">"):
        name, _, number = text[:-1].rpartition("<")
        return number.strip(), name.strip().strip('"')
    return text, ""


def _yes(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "1", "on")


class Pbx:
    """The simulated PBX: clients, calls, conferences and misbehaviour."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.username: str = options.username
        self.secret: str = options.secret
        script_path = getattr(options, "script", None)
        delay = float(getattr(options, "answer_delay", 0.3))
        self.script = load_script(script_path, delay) if script_path else default_script(delay)
        self.clients: set[Client] = set()
        self.channels: dict[str, Channel] = {}
        self.conferences: dict[str, dict[str, Channel]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self._seq = 0
        self._epoch = int(time.time())
        self.running = asyncio.Event()
        self.normal()

    def normal(self) -> None:
        """Behave again."""
        self.partial = 0
        self.interleave = 0
        self.garble = 0
        self.silent = False
        self.delay = 0.0

    # ------------------------------------------------------------------ output

    def send(self, client: Client, pairs: Pairs) -> None:
        """Queue one message for ``client``."""
        client.out.put_nowait(encode_pairs(pairs))

    def event(self, name: str, pairs: Pairs, *, to: Client | None = None) -> None:
        """An event to ``to`` or to every client logged in with events on."""
        message: Pairs = [("Event", name), ("Privilege", "call,all"), *pairs]
        targets = [to] if to is not None else [c for c in self.clients if c.authed and c.events]
        for client in targets:
            self.send(client, message)

    def noise(self, client: Client) -> None:
        """An event that has nothing to do with anything the client asked."""
        self._seq += 1
        ch = Channel(f"PJSIP/7{self._seq:03d}-{self._seq:08x}", self.uniqueid(), "")
        ch.linkedid = ch.uniqueid
        self.event(
            random.choice(["VarSet", "Newexten", "PeerStatus"]),
            [*ch.fields(), ("Variable", "RTPAUDIOQOS"), ("Value", "ssrc=1;rxcount=0")],
            to=client,
        )

    async def reply(self, client: Client, messages: list[Pairs]) -> None:
        """Send a reply (one message, or a list reply), misbehaving as told."""
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.garble > 0:
            self.garble -= 1
            action_id = dict(messages[0]).get("ActionID")
            junk = b"#\x7f?%garbage\xfe\r\n\xff\xfe Resp\r\n"
            head = f"ActionID: {action_id}\r\n".encode() if action_id is not None else b""
            client.out.put_nowait(head + junk + b"\r\n")
            return
        mixed = self.interleave > 0
        if mixed:
            self.interleave -= 1
        for message in messages:
            if mixed:
                self.noise(client)
            self.send(client, message)
        if mixed:
            self.noise(client)

    async def pump(self, client: Client) -> None:
        """Write ``client``'s queue to its socket, in tiny pieces while ``partial`` lasts."""
        writer = client.writer
        with contextlib.suppress(OSError):
            while (data := await client.out.get()) is not None:
                if self.silent:
                    continue
                if self.partial > 0:
                    self.partial -= 1
                    at = 0
                    while at < len(data):
                        step = random.randint(1, 7)
                        writer.write(data[at : at + step])
                        await writer.drain()
                        await asyncio.sleep(0.002)  # separate TCP segments, separate reads
                        at += step
                else:
                    writer.write(data)
                    await writer.drain()
        writer.close()

    # ------------------------------------------------------------------ serving

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one manager connection."""
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client = Client(writer)
        self.clients.add(client)
        pump = asyncio.create_task(self.pump(client))
        client.out.put_nowait(GREETING)
        splitter = MessageSplitter()
        try:
            while data := await reader.read(4096):
                for message in splitter.feed(data):
                    if not await self.dispatch(client, message):
                        return
        except OSError:
            pass
        finally:
            self.clients.discard(client)
            client.out.put_nowait(None)
            with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(pump, 2.0)

    async def dispatch(self, client: Client, message: AmiMessage) -> bool:
        """Act on one request; False to hang up on the client."""
        action = message.get("Action").lower()
        aid: Pairs = [("ActionID", message.action_id)] if "ActionID" in message else []

        async def ok(*pairs: tuple[str, object]) -> None:
            await self.reply(client, [[("Response", "Success"), *aid, *pairs]])

        async def error(text: str) -> None:
            await self.reply(client, [[("Response", "Error"), *aid, ("Message", text)]])

        if not action:
            await error("Missing action in request")
            return True
        if action == "login":
            if message.get("Username") == self.username and message.get("Secret") == self.secret:
                client.authed = True
                client.events = message.get("Events", "on").lower() not in ("off", "no", "false")
                await ok(("Message", "Authentication accepted"))
                self.event("FullyBooted", [("Status", "Fully Booted")], to=client)
                return True
            await error("Authentication failed")
            await asyncio.sleep(0.05)
            return False  # as Asterisk does: a failed login ends the session
        if action == "logoff":
            await self.reply(
                client, [[("Response", "Goodbye"), *aid, ("Message", "Thanks for all the fish.")]]
            )
            return False
        if not client.authed:
            await error("Permission denied")
            return True
        if action == "ping":
            await ok(("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}"))
        elif action == "originate":
            await self.originate(client, message, aid, ok, error)
        elif action == "confbridgelist":
            await self.confbridge_list(client, message, aid, error)
        elif action in ("confbridgemute", "confbridgeunmute", "confbridgekick"):
            conf, member, problem = self.find_member(message)
            if member is None:
                await error(problem)
            elif action == "confbridgekick":
                await ok(("Message", "User kicked"))
                self.hang_up(member, 16, "Normal Clearing")
            else:
                member.muted = action == "confbridgemute"
                await ok(("Message", "User muted" if member.muted else "User unmuted"))
                name = "ConfbridgeMute" if member.muted else "ConfbridgeUnmute"
                self.event(name, [("Conference", conf), *member.fields(), ("Admin", "No")])
        elif action == "redirect":
            channel = self.channels.get(message.get("Channel"))
            if channel is None:
                await error(f"Channel does not exist: {message.get('Channel')}")
            else:
                await ok(("Message", "Redirect successful"))
                self.redirect(channel, message.get("Exten"), message.get("Context"))
        elif action == "hangup":
            channel = self.channels.get(message.get("Channel"))
            if channel is None:
                await error("No such channel")
            else:
                await ok(("Message", "Channel Hungup"))
                self.hang_up(channel, int(message.get("Cause") or 16), "Normal Clearing")
        else:
            await error("Invalid/unknown command")
        return True

    # ------------------------------------------------------------------ calls

    def uniqueid(self) -> str:
        """A fresh ``Uniqueid`` (epoch.sequence, as Asterisk writes them)."""
        self._seq += 1
        return f"{self._epoch}.{self._seq}"

    def new_channel(self, endpoint: str, linkedid: str = "", **kw: Any) -> Channel:
        """Create a channel and announce it (``Newchannel``)."""
        uid = self.uniqueid()
        channel = Channel(f"{endpoint}-{self._seq:08x}", uid, linkedid or uid, **kw)
        self.channels[channel.name] = channel
        self.event("Newchannel", channel.fields())
        return channel

    def set_state(self, channel: Channel, state: int) -> None:
        """Change a channel's state (``Newstate``)."""
        channel.state = state
        self.event("Newstate", channel.fields())

    def spawn(self, coro: Any, channel: Channel | None = None) -> asyncio.Task[None]:
        """Run a call scenario; remembered so ``reset`` can stop it."""
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        if channel is not None:
            channel.tasks.append(task)
        return task

    def hang_up(self, channel: Channel, cause: int, text: str) -> None:
        """End a channel: leave its conference, then ``Hangup``."""
        if self.channels.pop(channel.name, None) is None:
            return
        for task in channel.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        if channel.conference:
            members = self.conferences.get(channel.conference, {})
            members.pop(channel.name, None)
            self.event(
                "ConfbridgeLeave",
                [("Conference", channel.conference), *channel.fields(), ("Admin", "No")],
            )
            if not members:
                self.conferences.pop(channel.conference, None)
                self.event("ConfbridgeEnd", [("Conference", channel.conference)])
        self.event("Hangup", [*channel.fields(), ("Cause", cause), ("Cause-txt", text)])

    async def originate(
        self, client: Client, message: AmiMessage, aid: Pairs, ok: Any, error: Any
    ) -> None:
        """Originate: queue (Async) or wait for the outcome, then report it."""
        target = message.get("Channel")
        tech, _, rest = target.partition("/")
        endpoint = rest.split("@")[0]
        application, exten = message.get("Application"), message.get("Exten")
        if not tech or not endpoint:
            await error("Channel not specified")
            return
        if not application and not exten:
            await error("Exten not specified")
            return
        try:
            ring = int(message.get("Timeout") or 30000) / 1000
        except ValueError:
            await error("Invalid timeout")
            return
        queued = ("Message", "Originate successfully queued")

        async def run() -> None:
            outcome, channel = await self.call(target, endpoint, message, ring)
            reason = OUTCOMES[outcome][0]
            response = "Success" if outcome == "answer" else "Failure"
            if _yes(message.get("Async")):
                where: Pairs = (
                    [("Application", application), ("Data", message.get("Data"))]
                    if application
                    else [("Context", message.get("Context")), ("Exten", exten)]
                )
                self.event(
                    "OriginateResponse",
                    [
                        *aid,
                        ("Response", response),
                        ("Channel", channel.name if outcome == "answer" else target),
                        *where,
                        ("Reason", reason),
                        ("Uniqueid", channel.uniqueid if outcome == "answer" else "<null>"),
                        ("CallerIDNum", channel.caller[0] or "<unknown>"),
                        ("CallerIDName", channel.caller[1] or "<unknown>"),
                    ],
                )
            elif outcome == "answer":
                await ok(queued)
            else:
                await error("Originate failed")
            if outcome == "answer":
                self.after_answer(channel, message)

        if _yes(message.get("Async")):
            await ok(queued)
        self.spawn(run())

    async def call(
        self, target: str, endpoint: str, message: AmiMessage, ring: float
    ) -> tuple[str, Channel]:
        """Dial a party per the script; its outcome and channel (hung up unless answered)."""
        behaviour = self.script.get(endpoint, Behaviour("unavailable", 0.05))
        channel = self.new_channel(
            target,
            caller=parse_caller_id(message.get("CallerID")),
            context=message.get("Context") or "from-internal",
            exten=message.get("Exten") or "s",
        )
        self.event("DialBegin", [*channel.fields("Dest"), ("DialString", endpoint)])
        do = behaviour.do
        if do == "answer" and behaviour.after >= ring:
            do = "noanswer"
        if do in ("answer", "noanswer"):
            self.set_state(channel, 5)
        await asyncio.sleep(ring if do == "noanswer" else behaviour.after)
        if channel.name not in self.channels:  # hung up (control command) while ringing
            return "noanswer", channel
        _, status, cause, text = OUTCOMES[do]
        self.event("DialEnd", [*channel.fields("Dest"), ("DialStatus", status)])
        if do != "answer":
            self.hang_up(channel, cause, text)
            return do, channel
        self.set_state(channel, 6)
        if behaviour.hangup_after is not None:
            self.spawn(self.hang_up_later(channel, behaviour.hangup_after), channel)
        return do, channel

    async def hang_up_later(self, channel: Channel, seconds: float) -> None:
        """The party puts the phone down after a while."""
        await asyncio.sleep(seconds)
        self.hang_up(channel, 16, "Normal Clearing")

    def after_answer(self, channel: Channel, message: AmiMessage) -> None:
        """Where an answered Originate goes: a ConfBridge, or a bridge to the extension."""
        if channel.name not in self.channels:
            return
        if message.get("Application").lower() == "confbridge":
            conf = message.get("Data").split(",")[0]
            members = self.conferences.setdefault(conf, {})
            if not members:
                self.event("ConfbridgeStart", [("Conference", conf)])
            members[channel.name] = channel
            channel.conference = conf
            self.event(
                "ConfbridgeJoin",
                [("Conference", conf), *channel.fields(), ("Admin", "No"), ("Muted", "No")],
            )
        elif message.get("Exten"):
            self.bridge(channel)

    def bridge(self, *channels: Channel) -> None:
        """Put channels in a new bridge (``BridgeEnter`` each)."""
        bridge = f"{self._epoch:x}-{self._seq:04x}-bridge"
        for count, channel in enumerate(channels, 1):
            channel.bridge = bridge
            self.event(
                "BridgeEnter",
                [
                    ("BridgeUniqueid", bridge),
                    ("BridgeType", "basic"),
                    ("BridgeTechnology", "simple_bridge"),
                    ("BridgeNumChannels", count),
                    *channel.fields(),
                ],
            )

    def incoming(self, number: str, name: str, exten: str) -> Channel:
        """A call from outside rings at ``exten``: the trunk leg (Ring) dials the extension."""
        trunk = self.new_channel(
            "PJSIP/trunk", state=4, caller=(number, name), context="from-trunk", exten=exten
        )
        leg = self.new_channel(
            f"PJSIP/{exten}",
            trunk.linkedid,
            caller=(exten, ""),
            connected=(number, name),
            context="from-internal",
            exten=exten,
        )
        self.event("DialBegin", [*trunk.fields(), *leg.fields("Dest"), ("DialString", exten)])
        self.set_state(leg, 5)
        return trunk

    def redirect(self, channel: Channel, exten: str, context: str) -> None:
        """Send a call elsewhere: a ringing incoming call is answered at ``exten``."""
        for other in list(self.channels.values()):
            if other is not channel and other.linkedid == channel.linkedid and other.state != 6:
                self.event(
                    "DialEnd", [*channel.fields(), *other.fields("Dest"), ("DialStatus", "CANCEL")]
                )
                self.hang_up(other, 26, "Answered elsewhere")
        channel.context, channel.exten = context or channel.context, exten
        leg = self.new_channel(
            f"PJSIP/{exten}",
            channel.linkedid,
            caller=(exten, ""),
            connected=channel.caller,
            context=channel.context,
            exten=exten,
        )
        self.event("DialBegin", [*channel.fields(), *leg.fields("Dest"), ("DialString", exten)])
        self.event("DialEnd", [*channel.fields(), *leg.fields("Dest"), ("DialStatus", "ANSWER")])
        self.set_state(leg, 6)
        self.set_state(channel, 6)
        self.bridge(channel, leg)

    # ------------------------------------------------------------------ conferences

    def find_member(self, message: AmiMessage) -> tuple[str, Channel | None, str]:
        """The conference and member an action names (exact channel name or its prefix)."""
        conf = message.get("Conference")
        members = self.conferences.get(conf)
        if not members:
            return conf, None, "No Conference by that name found."
        wanted = message.get("Channel")
        for name, member in members.items():
            if wanted and (name == wanted or name.startswith(wanted + "-")):
                return conf, member, ""
        return conf, None, "No Channel by that name found in Conference."

    async def confbridge_list(
        self, client: Client, message: AmiMessage, aid: Pairs, error: Any
    ) -> None:
        """ConfbridgeList: a list reply, one ``ConfbridgeList`` event a member, then Complete."""
        conf = message.get("Conference")
        if not conf:
            await error("No Conference name provided.")
            return
        members = self.conferences.get(conf)
        if not members:
            await error("No Conference by that name found.")
            return
        messages: list[Pairs] = [
            [
                ("Response", "Success"),
                *aid,
                ("EventList", "start"),
                ("Message", "Confbridge user list will follow"),
            ]
        ]
        for member in members.values():
            messages.append(
                [
                    ("Event", "ConfbridgeList"),
                    *aid,
                    ("Conference", conf),
                    *member.fields(),
                    ("Admin", "No"),
                    ("MarkedUser", "No"),
                    ("WaitMarked", "No"),
                    ("EndMarked", "No"),
                    ("Waiting", "No"),
                    ("Muted", "Yes" if member.muted else "No"),
                    ("Talking", "No"),
                    ("AnsweredTime", 1),
                ]
            )
        messages.append(
            [
                ("Event", "ConfbridgeListComplete"),
                *aid,
                ("EventList", "Complete"),
                ("ListItems", len(members)),
            ]
        )
        await self.reply(client, messages)

    # ------------------------------------------------------------------ control

    def describe(self) -> dict[str, Any]:
        """Calls, conferences and clients, for the ``state`` command."""
        return {
            "clients": len(self.clients),
            "channels": {
                c.name: {
                    "state": c.state,
                    "caller": c.caller[0],
                    "conference": c.conference,
                    "muted": c.muted,
                }
                for c in self.channels.values()
            },
            "conferences": {conf: sorted(members) for conf, members in self.conferences.items()},
        }

    def control(self, line: str) -> str:
        """Apply one control command; the line to print."""
        words = line.split()
        if not words:
            return "ERR empty command"
        cmd, args = words[0].lower(), words[1:]
        try:
            if cmd == "incoming":
                if len(args) < 2:
                    return "ERR usage: incoming NUMBER [NAME] EXTEN"
                self.incoming(args[0], " ".join(args[1:-1]), args[-1])
            elif cmd == "hangup":
                targets = (
                    list(self.channels.values()) if args == ["all"] else [self.channels[args[0]]]
                )
                for channel in targets:
                    self.hang_up(channel, 16, "Normal Clearing")
            elif cmd == "disconnect":
                for client in list(self.clients):
                    client.authed = False
                    client.writer.close()
                    client.out.put_nowait(None)
                self.clients.clear()
            elif cmd in ("partial", "interleave", "garble"):
                default = {"partial": 10, "interleave": 5, "garble": 1}[cmd]
                setattr(self, cmd, int(args[0]) if args else default)
            elif cmd == "silent":
                self.silent = True
            elif cmd == "delay":
                self.delay = float(args[0])
            elif cmd == "normal":
                self.normal()
            elif cmd == "reset":
                self.normal()
                for task in list(self.tasks):
                    task.cancel()
                for channel in list(self.channels.values()):
                    self.hang_up(channel, 16, "Normal Clearing")
                self.conferences.clear()
            elif cmd == "state":
                return "OK state " + json.dumps(self.describe(), sort_keys=True)
            elif cmd == "quit":
                self.running.set()
            else:
                return f"ERR unknown command {cmd!r}"
        except (IndexError, ValueError, KeyError) as exc:
            return f"ERR {line.strip()!r}: {exc}"
        return "OK " + " ".join(words)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _control_loop(pbx: Pbx) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except (OSError, ValueError):
        return  # no usable stdin: serve without a control channel
    while line := await reader.readline():
        result = pbx.control(line.decode("utf-8", "replace"))
        if not pbx.running.is_set():
            await asyncio.sleep(0.02)  # let the client pumps flush what the command sent
        _say(result)


async def serve(options: argparse.Namespace) -> int:
    """Run the PBX on ``options.host:options.tcp`` until ``quit`` or SIGTERM."""
    pbx = Pbx(options)
    server = await asyncio.start_server(pbx.handle, options.host, options.tcp, reuse_address=True)
    host, port = server.sockets[0].getsockname()[:2]
    _say(f"LISTENING tcp {host}:{port}")
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, pbx.running.set)
    control = asyncio.create_task(_control_loop(pbx))
    try:
        await pbx.running.wait()
        await asyncio.sleep(0)  # let the control loop say "OK quit"
    finally:
        control.cancel()
        for task in list(pbx.tasks):
            task.cancel()
        server.close()
        for client in list(pbx.clients):
            client.writer.close()
    return 0


class AmiSim(SimDevice):
    """Registry entry for the scripted AMI PBX; constructing it runs :func:`serve` and exits."""

    reply_terminator = b"\r\n\r\n"

    def __init__(self, profile: str, options: argparse.Namespace) -> None:
        super().__init__(profile, options)
        if getattr(options, "tcp", None) is None:
            raise SystemExit("the ami simulator is TCP only: use --tcp PORT")
        raise SystemExit(asyncio.run(serve(options)))

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """``--username``, ``--secret``, ``--script`` and ``--answer-delay``."""
        parser.add_argument("--username", default="console", help="manager user (console)")
        parser.add_argument("--secret", default="secret", help="manager secret (secret)")
        parser.add_argument("--script", help="JSON: extension → behaviour (added to defaults)")
        parser.add_argument(
            "--answer-delay", type=float, default=0.3, help="ring seconds before 800x answer"
        )


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m devices.sim.ami --tcp PORT …`` (same as ``python -m devices.sim ami``)."""
    from devices.sim import SIMULATORS
    from devices.sim.base import main as sim_main

    SIMULATORS.setdefault("ami", "devices.sim.ami:AmiSim")
    return sim_main(["ami", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
