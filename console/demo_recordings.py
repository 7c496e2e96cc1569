"""The demo's call recordings: five calls about demo incidents, recorded as a recorder would.

``seed_demo_recordings`` runs once, when the demo data is first seeded (and only while no
recording exists). For each call in :data:`CALLS` it records the call the way the seat does
(incoming through the demo PBX or the analog line, or placed by the officer on duty, tied to
its incident: a ``call_record``, a duty-log line and a timeline line), writes a few seconds of
audio as the recorder's raw spool file and hands the segment to ``services.recordings`` (opened
when the call is picked up, closed at hang-up), which encodes it as FLAC, keeps it in the file
store with its SHA-256 on record, links it to the call and puts a line on the incident's
timeline. Each step is stamped when it would have happened.

The audio is made here, not copied from anywhere: two synthetic voices taking turns (a
harmonic series under vowel-like formants, in syllables and words, band-limited to the
telephone's 300–3400 Hz) over faint line hiss, and before a call the console placed, the
ring-back tone (450 Hz, as Chinese exchanges send it). The same call always gives the same
samples.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from console.demo import CASES, PEOPLE, SETUP_ACTOR
from console.devices.demo import MODEM_NAME, PBX_EXTENSION, PBX_NAME
from console.devices.recorder import SPOOL_SUFFIX, Segment
from console.domain import CallOutcome, DialResult, Role
from console.services import Services
from console.timeutil import clock_at, utcnow

log = logging.getLogger(__name__)

Samples = npt.NDArray[np.float64]

RATE = 8000  # Hz, as the recorders capture telephone lines
RECORDER = "录音机1"
#: The recorder's channels: channel → the line it taps (as a recorder's ``input_names``).
LINES = {1: f"{PBX_NAME}/{PBX_EXTENSION}", 2: MODEM_NAME}
CHANNEL_OF = {PBX_NAME: 1, MODEM_NAME: 2}
RING_SECONDS = 6.0  # an incoming call rings this long before the officer answers
RINGBACK_SECONDS = 1.0  # the tone a placed call hears before the far end answers
ANSWER_SECONDS = 1.4  # a placed call is answered this long after it starts ringing
IN, OUT = "in", "out"
OFFICER_F0, CALLER_F0 = 205.0, 118.0  # the two voices' pitch, Hz
TABLE = 2048  # samples of one period's wave table

# (F1, F2, F3) of a few vowels, Hz: what makes the harmonics sound like speech.
VOWELS = (
    (730.0, 1090.0, 2440.0),
    (270.0, 2290.0, 3010.0),
    (300.0, 870.0, 2240.0),
    (530.0, 1840.0, 2480.0),
    (570.0, 840.0, 2410.0),
)


@dataclass(frozen=True)
class DemoCall:
    """One recorded demo call about a demo incident."""

    incident: str  # a fragment of the demo incident's title (console.demo.CASES)
    direction: str  # IN or OUT
    device: str  # the demo PBX or the analog line
    minutes: float  # after the incident was reported
    seconds: float  # of audio: the recording's length
    number: str = ""  # "" → the reporter's phone, as the intake took it down
    name: str = ""  # an incoming call's caller ID name ("" → the reporter's, for their phone)


CALLS: tuple[DemoCall, ...] = (
    # The plant calls back: the leaking valve is shut.
    DemoCall("绿园区化工企业氨气泄漏", IN, PBX_NAME, 50, 8.0),
    # The officer checks casualties with 长春市应急管理局's duty chief (a directory contact).
    DemoCall("南关区居民楼燃气爆燃", OUT, PBX_NAME, 25, 9.5, number="8004"),
    # 吉林市应急管理局's director reports on the rescue (a directory contact's mobile).
    DemoCall("井下透水3人被困", IN, PBX_NAME, 95, 11.0, number="13904310005", name="孙海涛"),
    # The officer asks the county how many vehicles are still stranded, on the city line.
    DemoCall("暴雪致省道封闭", OUT, MODEM_NAME, 70, 7.0),
    # The forest farm reports where the fire line is, on the city line.
    DemoCall("敦化市林区火情", IN, MODEM_NAME, 200, 6.5),
)


def seed_demo_recordings(services: Services, incident_ids: Sequence[int]) -> int:
    """Record the demo's calls on the demo incidents; returns how many recordings were stored.

    ``incident_ids`` are the demo incidents in the order of ``console.demo.CASES``. Does
    nothing when a recording exists already.
    """
    if services.recordings.recent(limit=1):
        return 0
    planned = [
        _plan(services, n, call, incident_ids[index])
        for n, call in enumerate(CALLS)
        if (index := _case_index(call)) < len(incident_ids)
    ]
    with tempfile.TemporaryDirectory(prefix="duty-demo-spool-") as spool:
        # Oldest first, as they happened: a recording on the analog line (no PBX call id)
        # belongs to the latest call on that line.
        for plan in sorted(planned, key=lambda p: p.started):
            _record_call(services, plan, Path(spool))
    log.info("demo recordings stored: %d", len(planned))
    return len(planned)


def _case_index(call: DemoCall) -> int:
    return next(i for i, case in enumerate(CASES) if call.incident in case.title)


@dataclass(frozen=True)
class _Plan:
    """A demo call with who is on the line and when it rang."""

    n: int
    call: DemoCall
    incident_id: int
    number: str
    name: str
    started: datetime


def _plan(services: Services, n: int, call: DemoCall, incident_id: int) -> _Plan:
    intake = services.intake.for_incident(incident_id)[0]
    latest = utcnow() - timedelta(minutes=5) - timedelta(seconds=call.seconds)
    return _Plan(
        n,
        call,
        incident_id,
        call.number or intake.reporter_phone,
        call.name or ("" if call.number else intake.reporter_name),
        min(intake.received_at + timedelta(minutes=call.minutes), latest),
    )


def _officer_at(services: Services, when: datetime, n: int) -> str:
    """The first officer of the shift on duty then (a demo officer before the roster starts)."""
    officers = [username for username, _name, role in PEOPLE if role is Role.OFFICER]
    shift = services.people.shift_at(when)
    if shift is not None and shift.officers:
        usernames = {u.id: u.username for u in services.people.users()}
        return usernames.get(shift.officers[0].user_id, officers[n % len(officers)])
    return officers[n % len(officers)]


def _record_call(services: Services, plan: _Plan, spool: Path) -> None:
    call, started, number = plan.call, plan.started, plan.number
    uniqueid = f"demo-{started.timestamp():.0f}.{plan.n}" if call.device == PBX_NAME else ""
    # An incoming call is recorded from the pick-up; a placed one from the dialling, so the
    # ring-back tone is on the recording too.
    ring = timedelta(seconds=RING_SECONDS if call.direction == IN else 0)
    recorded_from = started + ring
    ended = recorded_from + timedelta(seconds=call.seconds)
    channel = CHANNEL_OF[call.device]
    key = uuid.uuid4().hex
    segment = Segment(
        key=key,
        recorder=RECORDER,
        channel=channel,
        line=LINES[channel],
        sample_rate=RATE,
        started_at=recorded_from,
        path=spool / f"{key}{SPOOL_SUFFIX}",
        call_device=call.device,
        call_uniqueid=uniqueid,
        number=number,
    )
    audio = call_audio(call, plan.n)
    call_id: int | None = None
    if call.direction == IN:
        with clock_at(lambda: started):
            call_id = services.calls.record_incoming(
                SETUP_ACTOR,
                number,
                caller_name=plan.name,
                device=call.device,
                pbx_uniqueid=uniqueid,
                started_at=started,
            ).id
    with clock_at(lambda: recorded_from):
        if call_id is not None:
            services.calls.answered(SETUP_ACTOR, call_id, recorded_from)
        services.recordings.begin(SETUP_ACTOR, segment)
    segment.path.write_bytes(pcm16(audio))
    with clock_at(lambda: ended):
        if call_id is not None:
            services.calls.finish(
                SETUP_ACTOR,
                call_id,
                CallOutcome.ANSWERED,
                ended_at=ended,
                incident_id=plan.incident_id,
            )
        else:
            services.calls.record_outgoing(
                _officer_at(services, started, plan.n),
                number,
                incident_id=plan.incident_id,
                device=call.device,
                result=DialResult(
                    number,
                    CallOutcome.ANSWERED,
                    uniqueid=uniqueid,
                    started_at=started,
                    finished_at=ended,
                ),
            )
        closed = replace(segment, finished=True, ended_at=ended, frames=len(audio))
        services.recordings.finish(SETUP_ACTOR, closed)


# -- the audio --------------------------------------------------------------------------------


def call_audio(call: DemoCall, n: int) -> Samples:
    """The call's audio, ``call.seconds`` long at :data:`RATE`, samples in [-1, 1]."""
    rng = np.random.default_rng(651 + n)
    total = round(call.seconds * RATE)
    parts: list[Samples] = []
    if call.direction == OUT:
        parts += [_tone(450.0, RINGBACK_SECONDS, 0.25), _silence(ANSWER_SECONDS - RINGBACK_SECONDS)]
    parts.append(_silence(0.25))
    speech = call.seconds - sum(len(p) for p in parts) / RATE - 0.3
    # Incoming: the officer answers, the caller reports, the officer confirms; placed calls
    # the other way round.
    first, second = (OFFICER_F0, CALLER_F0) if call.direction == IN else (CALLER_F0, OFFICER_F0)
    turns = ((first, 0.2), (second, 0.55), (first, 0.25))
    for k, (f0, share) in enumerate(turns):
        if k:
            parts.append(_silence(0.35))
        parts.append(_voice(rng, max(0.4, share * (speech - 0.7)), f0 * rng.uniform(0.95, 1.05)))
    audio = _telephone_band(np.concatenate(parts))
    audio = 0.45 * audio / max(float(np.max(np.abs(audio))), 1e-9)
    audio = np.pad(audio, (0, max(0, total - len(audio))))[:total]
    return np.clip(audio + rng.normal(0.0, 0.003, total), -1.0, 1.0)


def pcm16(audio: Samples) -> bytes:
    """Samples in [-1, 1] as raw 16-bit little-endian mono: a recorder's spool file."""
    return bytes((np.clip(audio, -1.0, 1.0) * 32767).round().astype("<i2").tobytes())


def _silence(seconds: float) -> Samples:
    return np.zeros(max(0, round(seconds * RATE)))


def _tone(hz: float, seconds: float, level: float) -> Samples:
    t = np.arange(round(seconds * RATE)) / RATE
    ramp = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)  # no clicks at the edges
    return np.asarray(level * ramp * np.sin(2 * np.pi * hz * t), dtype=np.float64)


def _voice(rng: np.random.Generator, seconds: float, f0: float) -> Samples:
    """A speaker talking for at most ``seconds``: words of two to four syllables."""
    out: list[Samples] = []
    length = 0
    target = round(seconds * RATE)
    while True:
        for _ in range(int(rng.integers(2, 5))):
            syllable = _syllable(rng, f0, float(rng.uniform(0.11, 0.26)))
            if length + len(syllable) > target:  # never cut a syllable off: no click
                return np.concatenate(out) if out else _silence(0)
            out.append(syllable)
            length += len(syllable)
        gap = _silence(float(rng.uniform(0.05, 0.16)))
        out.append(gap)
        length += len(gap)


def _syllable(rng: np.random.Generator, f0: float, seconds: float) -> Samples:
    """One voiced syllable: harmonics of a gliding pitch, shaped by a vowel's formants.

    One period is built from its harmonics (a wave table) and read at the gliding pitch.
    """
    t = np.arange(round(seconds * RATE)) / RATE
    glide = f0 * (1.0 + rng.uniform(-0.12, 0.12) * t / seconds)
    pitch = glide * (1.0 + 0.01 * np.sin(2 * np.pi * 5.5 * t))
    cycles = np.cumsum(pitch) / RATE  # periods elapsed
    harmonics = np.arange(1, int(3400 / f0) + 1)
    freqs = harmonics * f0
    formants = VOWELS[int(rng.integers(len(VOWELS)))]
    weights = sum(
        gain * np.exp(-(((freqs - f) / (60.0 + 0.08 * f)) ** 2))
        for f, gain in zip(formants, (1.0, 0.6, 0.25), strict=True)
    )
    spectrum = np.zeros(TABLE // 2 + 1, dtype=np.complex128)
    spectrum[harmonics] = -1j * (np.asarray(weights) / np.sqrt(harmonics) + 0.01)
    table = np.fft.irfft(spectrum, TABLE) * TABLE / 2  # one period: sum of weighted sines
    wave = table[(cycles * TABLE).astype(np.int64) % TABLE]
    envelope = np.sin(np.pi * t / seconds) ** 1.5
    return np.asarray(wave * envelope * rng.uniform(0.6, 1.0), dtype=np.float64)


def _telephone_band(audio: Samples) -> Samples:
    """Keep 300–3400 Hz, as a telephone line passes it."""
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    spectrum[(freqs < 300) | (freqs > 3400)] = 0
    return np.asarray(np.fft.irfft(spectrum, len(audio)), dtype=np.float64)
