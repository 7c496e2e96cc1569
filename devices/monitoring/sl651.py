"""SL 651-2014 hydrological frames, HEX/BCD and ASCII forms: CRC, parsing, building, streams.

Up frame (station → centre), 表20::

    7E 7E | centre (1) | station (5) | password (2) | function (1) | dir+len (2) | STX (1)
          | body (len) | ETX/ETB (1) | CRC16 (2, high byte first, over everything before it)

Down frames (centre → station) swap the two addresses and set the high nibble of dir+len to
8. The CRC is CRC-16/MODBUS arithmetic sent high byte first. With SYN instead of STX (M3,
multi-packet) three bytes of packet count and number follow it; the length counts them as part
of the text (the bytes between SYN and ETX/ETB). See ``reference/monitoring/SL651-2014_notes.md``.

ASCII frames (表16–19) carry the same fields with each HEX byte written as two hex characters::

    SOH | centre (2) | station (10) | password (4) | function (2) | dir+len (4) | STX | body
        | ETX/ETB | CRC (4 hex characters, over everything before it)

and a body of space-separated words: serial and send time without a separator, then
``ST <station> <class>``, ``TT <observation time>`` and ``<mnemonic> <value>`` pairs (``Z 0.550``),
each word followed by a space. :class:`Sl651Stream` takes both forms on one connection; a frame
parsed from ASCII is answered in ASCII (:func:`ack_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from devices.monitoring.common import FrameError, Rejection, RejectReason

PROTOCOL = "sl651"
START = b"\x7e\x7e"
SOH = 0x01  # ASCII frame start
ASCII_HEADER = 23  # SOH through dir+len, in characters
_HEX_DIGITS = frozenset(b"0123456789ABCDEFabcdef")
STX, SYN, ETX, ETB = 0x02, 0x16, 0x03, 0x17
ENQ, EOT, ACK, NAK, ESC = 0x05, 0x04, 0x06, 0x15, 0x1B
UP_ENDS = frozenset({ETX, ETB})
DOWN_ENDS = frozenset({ENQ, EOT, ACK, NAK, ESC})
HEADER = 13  # 7E7E through dir+len

#: Report functions the centre acknowledges (链路维持 … 人工置数).
REPORT_FUNCTIONS = frozenset({0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35})
STATION_CLASSES = {
    "P": "降水",
    "H": "河道",
    "K": "水库",
    "Z": "闸坝",
    "D": "泵站",
    "T": "潮汐",
    "M": "墒情",
    "G": "地下水",
    "Q": "水质",
    "I": "取水口",
    "O": "排水口",
}

#: Element identifier → (mnemonic, unit), Appendix C.
ELEMENTS: dict[int, tuple[str, str]] = {
    0x04: ("DRxnn", ""),
    0x05: ("DT", "h"),
    0x1A: ("P1", "mm"),
    0x1B: ("P2", "mm"),
    0x1C: ("P3", "mm"),
    0x1D: ("P6", "mm"),
    0x1E: ("P12", "mm"),
    0x1F: ("PD", "mm"),
    0x20: ("PJ", "mm"),
    0x21: ("PN01", "mm"),
    0x22: ("PN05", "mm"),
    0x23: ("PN10", "mm"),
    0x24: ("PN30", "mm"),
    0x26: ("PT", "mm"),
    0x38: ("VT", "V"),
    0x39: ("Z", "m"),
    0x3A: ("ZB", "m"),
    0x3B: ("ZU", "m"),
    **{0x3C + i: (f"Z{i + 1}", "m") for i in range(8)},
    0xF4: ("DRP", "mm"),
    **{0xF5 + i: (f"DRZ{i + 1}", "m") for i in range(8)},
}
CODES = {name: ident for ident, (name, _unit) in ELEMENTS.items()}


def sl651_crc(data: bytes) -> int:
    """CRC-16/MODBUS of ``data`` (SL 651 sends it high byte first)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass(frozen=True, slots=True)
class Sl651Frame:
    """One HEX frame whose length, end character and CRC are right."""

    center: int
    station: str  # 10 hex digits, e.g. "0010100001"
    password: int
    function: int
    up: bool
    start: int  # STX or SYN
    body: bytes  # the text between the start character (and packet bytes) and the end
    end: int
    crc: int
    total_packets: int | None = None
    packet_no: int | None = None
    ascii: bool = False  # the ASCII form (body in words); the HEX/BCD form otherwise


@dataclass(frozen=True, slots=True)
class Sl651Element:
    """One element of a report: ``Z`` = 0.55 m, or ``DRP`` with twelve 5-minute values."""

    ident: int
    name: str
    unit: str
    value: float | None  # None: the station sent "missing" (all F)
    values: tuple[float | None, ...] = ()  # DRP / DRZ series
    observed_at: datetime | None = None  # the TT in force (naive Beijing time)


@dataclass(frozen=True, slots=True)
class Sl651Report:
    """The body of an up report: serial, times, station, class and elements."""

    serial: int
    sent_at: datetime
    station: str = ""
    station_class: str = ""
    observed_at: datetime | None = None
    elements: list[Sl651Element] = field(default_factory=list)

    def value(self, name: str) -> float | None:
        """The value of the first element ``name`` (e.g. ``"Z"``), or None."""
        for element in self.elements:
            if element.name == name:
                return element.value
        return None


def _bcd_digits(data: bytes) -> str:
    return data.hex().upper()


def _bcd_time(data: bytes, fmt: str) -> datetime:
    text = _bcd_digits(data)
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        raise FrameError(RejectReason.MALFORMED, f"时间无效 (invalid BCD time) {text}") from None


def parse_sl651(frame: bytes) -> Sl651Frame:
    """Check one whole HEX frame.

    Raises:
        FrameError: bad start, length, end character or CRC (the message says which).
    """
    if not frame.startswith(START):
        raise FrameError(RejectReason.MALFORMED, "帧起始符不是 7E7E (no 7E7E start)")
    if len(frame) < HEADER + 4:
        raise FrameError(RejectReason.BAD_LENGTH, f"帧太短 (frame too short): {len(frame)} 字节")
    dirlen = int.from_bytes(frame[11:13], "big")
    up = dirlen >> 12 == 0
    if dirlen >> 12 not in (0, 8):
        raise FrameError(
            RejectReason.MALFORMED, f"上下行标识错误 (bad direction nibble) {dirlen >> 12:X}"
        )
    if up:
        center, station = frame[2], frame[3:8].hex().upper()
    else:
        station, center = frame[2:7].hex().upper(), frame[7]
    length = dirlen & 0x0FFF
    expected = HEADER + 1 + length + 1 + 2
    if len(frame) != expected:
        raise FrameError(
            RejectReason.BAD_LENGTH,
            f"长度错误 (bad length): 长度字段 {length}，帧应为 {expected} 字节，实为 {len(frame)}",
            station,
        )
    start, end = frame[HEADER], frame[-3]
    if start not in (STX, SYN):
        raise FrameError(
            RejectReason.MALFORMED, f"正文起始符错误 (no STX/SYN): {start:02X}", station
        )
    if end not in (UP_ENDS if up else DOWN_ENDS):
        raise FrameError(
            RejectReason.BAD_END, f"报文结束符错误 (bad end character): {end:02X}", station
        )
    sent = int.from_bytes(frame[-2:], "big")
    crc = sl651_crc(frame[:-2])
    if crc != sent:
        raise FrameError(
            RejectReason.BAD_CRC, f"CRC 错误 (bad CRC): 帧中 {sent:04X}，计算得 {crc:04X}", station
        )
    text = frame[HEADER + 1 : -3]
    total = number = None
    if start == SYN:
        if len(text) < 3:
            raise FrameError(RejectReason.MALFORMED, "缺少包序号 (no packet numbers)", station)
        packed = int.from_bytes(text[:3], "big")
        total, number, text = packed >> 12, packed & 0x0FFF, text[3:]
    return Sl651Frame(
        center=center,
        station=station,
        password=int.from_bytes(frame[8:10], "big"),
        function=frame[10],
        up=up,
        start=start,
        body=bytes(text),
        end=end,
        crc=crc,
        total_packets=total,
        packet_no=number,
    )


def _ascii_header_ok(head: bytes) -> bool:
    """Whether ``head`` (the characters after SOH, possibly fewer than all) may start a frame."""
    for i, byte in enumerate(head[:ASCII_HEADER]):
        if i == ASCII_HEADER - 1:
            return byte in (STX, SYN)
        if byte not in _HEX_DIGITS or (i == 18 and byte not in b"08"):
            return False
    return True


def parse_sl651_ascii(frame: bytes) -> Sl651Frame:
    """Check one whole ASCII frame (SOH … CRC as four hex characters).

    Raises:
        FrameError: bad start, header, length, end character or CRC (the message says which).
    """
    if not frame or frame[0] != SOH:
        raise FrameError(RejectReason.MALFORMED, "帧起始符不是 SOH (no SOH start)")
    if len(frame) < ASCII_HEADER + 1 + 1 + 4:
        raise FrameError(RejectReason.BAD_LENGTH, f"帧太短 (frame too short): {len(frame)} 字节")
    if not _ascii_header_ok(frame[1 : ASCII_HEADER + 1]):
        raise FrameError(
            RejectReason.MALFORMED,
            f"ASCII 帧头错误 (bad ASCII header): {frame[: ASCII_HEADER + 1]!r}",
        )
    head = frame[1:ASCII_HEADER].decode("ascii")
    dirlen = int(head[18:22], 16)
    up = dirlen >> 12 == 0
    if up:
        center, station = int(head[0:2], 16), head[2:12].upper()
    else:
        station, center = head[0:10].upper(), int(head[10:12], 16)
    length = dirlen & 0x0FFF
    expected = ASCII_HEADER + 1 + length + 1 + 4
    if len(frame) != expected:
        raise FrameError(
            RejectReason.BAD_LENGTH,
            f"长度错误 (bad length): 长度字段 {length}，帧应为 {expected} 字节，实为 {len(frame)}",
            station,
        )
    start, end = frame[ASCII_HEADER], frame[-5]
    if end not in (UP_ENDS if up else DOWN_ENDS):
        raise FrameError(
            RejectReason.BAD_END, f"报文结束符错误 (bad end character): {end:02X}", station
        )
    crc = sl651_crc(frame[:-4])
    digits = frame[-4:]
    sent = int(digits, 16) if set(digits) <= _HEX_DIGITS else None
    if sent != crc:
        shown = f"{sent:04X}" if sent is not None else digits.decode("ascii", "replace")
        raise FrameError(
            RejectReason.BAD_CRC, f"CRC 错误 (bad CRC): 帧中 {shown}，计算得 {crc:04X}", station
        )
    text = frame[ASCII_HEADER + 1 : -5]
    total = number = None
    if start == SYN:
        if len(text) < 6 or not set(text[:6]) <= _HEX_DIGITS:
            raise FrameError(RejectReason.MALFORMED, "缺少包序号 (no packet numbers)", station)
        packed = int(text[:6], 16)
        total, number, text = packed >> 12, packed & 0x0FFF, text[6:]
    return Sl651Frame(
        center=center,
        station=station,
        password=int(head[12:16], 16),
        function=int(head[16:18], 16),
        up=up,
        start=start,
        body=bytes(text),
        end=end,
        crc=crc,
        total_packets=total,
        packet_no=number,
        ascii=True,
    )


def _parse_ascii_report(frame: Sl651Frame) -> Sl651Report:
    """表24 in ASCII words: ``SSSSyymmddhhmmss ST <addr> <class> TT yymmddhhmm Z 0.550 …``."""
    station = frame.station

    def bad(message: str) -> FrameError:
        return FrameError(RejectReason.MALFORMED, message, station)

    try:
        words = frame.body.decode("ascii").split()
    except UnicodeDecodeError:
        raise bad("ASCII 正文含非 ASCII 字符 (non-ASCII body)") from None
    if not words:
        raise bad("正文为空 (empty body)")
    first = words.pop(0)
    if len(first) == 4 and words and len(words[0]) == 12:  # serial and time as two words
        first += words.pop(0)
    if len(first) != 16 or not set(first[:4].encode()) <= _HEX_DIGITS or not first[4:].isdigit():
        raise bad(f"流水号和发报时间错误 (bad serial and send time): {first}")
    serial = int(first[:4], 16)
    sent_at = _text_time(first[4:], "%y%m%d%H%M%S", bad)
    body_station = station_class = ""
    observed: datetime | None = None
    first_observed: datetime | None = None
    elements: list[Sl651Element] = []
    i = 0
    while i < len(words):
        name = words[i]
        if i + 1 >= len(words):
            raise bad(f"要素 {name} 缺少数据 (no value)")
        value = words[i + 1]
        i += 2
        if name == "ST":
            body_station = value.upper()
            if i < len(words) and words[i] in STATION_CLASSES:
                station_class = words[i]
                i += 1
            continue
        if name == "TT":
            observed = _text_time(value, "%y%m%d%H%M", bad)
            first_observed = first_observed or observed
            continue
        ident = CODES.get(name, 0)
        unit = ELEMENTS.get(ident, ("", ""))[1] if ident else ""
        if name == "DRP" or name.startswith("DRZ"):
            if not set(value.encode()) <= _HEX_DIGITS or len(value) % 2:
                raise bad(f"要素 {name} 的数据不是十六进制 (not hex): {value}")
            elements.append(_element(ident, name, unit, bytes.fromhex(value), 0, observed, bad))
            continue
        if set(value.upper()) == {"F"}:
            elements.append(Sl651Element(ident, name, unit, None, (), observed))
            continue
        try:
            number = float(value)
        except ValueError:
            raise bad(f"要素 {name} 的数据不是数 (not a number): {value}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise bad(f"要素 {name} 的数据不是数 (not a number): {value}")
        elements.append(Sl651Element(ident, name, unit, number, (), observed))
    return Sl651Report(
        serial=serial,
        sent_at=sent_at,
        station=body_station,
        station_class=station_class,
        observed_at=first_observed,
        elements=elements,
    )


def _text_time(text: str, fmt: str, bad: object) -> datetime:
    try:
        if not text.isdigit():
            raise ValueError(text)
        return datetime.strptime(text, fmt)
    except ValueError:
        assert callable(bad)
        raise bad(f"时间无效 (invalid time) {text}") from None


def parse_report(frame: Sl651Frame) -> Sl651Report:
    """The serial number, times, station and elements of an up report's body.

    Raises:
        FrameError: the body does not follow 表24 (reason ``malformed``).
    """
    if frame.ascii:
        return _parse_ascii_report(frame)
    body, station = frame.body, frame.station

    def bad(message: str) -> FrameError:
        return FrameError(RejectReason.MALFORMED, message, station)

    if len(body) < 8:
        raise bad(f"正文太短 (body too short): {len(body)} 字节")
    serial = int.from_bytes(body[:2], "big")
    try:
        sent_at = _bcd_time(body[2:8], "%y%m%d%H%M%S")
        i = 8
        body_station, station_class = "", ""
        if body[i : i + 2] == b"\xf1\xf1":
            if len(body) < i + 7:
                raise bad("测站地址不完整 (station address cut short)")
            body_station = body[i + 2 : i + 7].hex().upper()
            i += 7
            if i < len(body) and chr(body[i]) in STATION_CLASSES:
                station_class = chr(body[i])
                i += 1
        observed: datetime | None = None
        first_observed: datetime | None = None
        elements: list[Sl651Element] = []
        while i < len(body):
            ident = body[i]
            if ident == 0xF0 and body[i + 1 : i + 2] == b"\xf0":
                if len(body) < i + 7:
                    raise bad("观测时间不完整 (observation time cut short)")
                observed = _bcd_time(body[i + 2 : i + 7], "%y%m%d%H%M")
                first_observed = first_observed or observed
                i += 7
                continue
            if i + 1 >= len(body):
                raise bad(f"要素 {ident:02X} 缺少数据定义 (no data descriptor)")
            descriptor = body[i + 1]
            size, decimals = descriptor >> 3, descriptor & 0x07
            data = body[i + 2 : i + 2 + size]
            if len(data) < size:
                raise bad(
                    f"要素 {ident:02X} 数据不完整 (element cut short): 应 {size} 字节，"
                    f"只有 {len(data)}"
                )
            name, unit = ELEMENTS.get(ident, (f"{ident:02X}", ""))
            elements.append(_element(ident, name, unit, data, decimals, observed, bad))
            i += 2 + size
    except IndexError:
        raise bad("正文不完整 (body cut short)") from None
    return Sl651Report(
        serial=serial,
        sent_at=sent_at,
        station=body_station,
        station_class=station_class,
        observed_at=first_observed,
        elements=elements,
    )


def _element(
    ident: int,
    name: str,
    unit: str,
    data: bytes,
    decimals: int,
    observed: datetime | None,
    bad: object,
) -> Sl651Element:
    if ident == 0xF4:  # DRP: twelve 5-minute rainfalls, 1 byte HEX each, 0.1 mm
        values = tuple(None if b == 0xFF else b / 10 for b in data)
        return Sl651Element(ident, name, unit, sum(v or 0 for v in values), values, observed)
    if 0xF5 <= ident <= 0xFC:  # DRZ: twelve 5-minute water levels, 2 bytes HEX each, 0.01 m
        words = [int.from_bytes(data[k : k + 2], "big") for k in range(0, len(data) - 1, 2)]
        values = tuple(None if w == 0xFFFF else w / 100 for w in words)
        last = next((v for v in reversed(values) if v is not None), None)
        return Sl651Element(ident, name, unit, last, values, observed)
    digits = _bcd_digits(data)
    if set(digits) == {"F"}:
        return Sl651Element(ident, name, unit, None, (), observed)
    if not digits.isdigit():
        assert callable(bad)
        raise bad(f"要素 {name} 的数据不是 BCD (not BCD): {digits}")
    return Sl651Element(ident, name, unit, int(digits) / 10**decimals, (), observed)


# --------------------------------------------------------------------------- building


def bcd(value: int, size: int) -> bytes:
    """A non-negative whole number as ``size`` BCD bytes."""
    text = f"{value:0{size * 2}d}"
    if value < 0 or len(text) > size * 2:
        raise ValueError(f"{value} does not fit {size} BCD bytes")
    return bytes.fromhex(text)


def bcd_time(value: datetime, with_seconds: bool = True) -> bytes:
    """``YYMMDDhhmm[ss]`` as BCD bytes."""
    return bytes.fromhex(value.strftime("%y%m%d%H%M%S" if with_seconds else "%y%m%d%H%M"))


def element(ident: int, value: float | None, size: int, decimals: int) -> bytes:
    """One HEX element group: identifier, descriptor, BCD data (all F when ``value`` is None)."""
    head = bytes([ident, (size << 3) | decimals])
    if value is None:
        return head + b"\xff" * size
    return head + bcd(round(value * 10**decimals), size)


def build_sl651(
    *,
    center: int,
    station: str,
    password: int,
    function: int,
    body: bytes,
    up: bool = True,
    end: int = ETX,
) -> bytes:
    """A whole HEX frame with length and CRC."""
    address = bytes.fromhex(station)
    if len(address) != 5:
        raise ValueError(f"station address must be 10 hex digits: {station!r}")
    if len(body) > 0x0FFF:
        raise ValueError(f"body too long: {len(body)}")
    head = START + (bytes([center]) + address if up else address + bytes([center]))
    dirlen = (0 if up else 0x8000) | len(body)
    frame = head + password.to_bytes(2, "big") + bytes([function]) + dirlen.to_bytes(2, "big")
    frame += bytes([STX]) + body + bytes([end])
    return frame + sl651_crc(frame).to_bytes(2, "big")


def report_body(
    *,
    serial: int,
    sent_at: datetime,
    station: str,
    station_class: str,
    observed_at: datetime,
    elements: bytes,
) -> bytes:
    """表24 body: serial, send time, ``F1F1`` station and class, ``F0F0`` time, elements."""
    return (
        serial.to_bytes(2, "big")
        + bcd_time(sent_at)
        + b"\xf1\xf1"
        + bytes.fromhex(station)
        + station_class.encode("ascii")
        + b"\xf0\xf0"
        + bcd_time(observed_at, with_seconds=False)
        + elements
    )


def build_sl651_ascii(
    *,
    center: int,
    station: str,
    password: int,
    function: int,
    body: bytes,
    up: bool = True,
    end: int = ETX,
) -> bytes:
    """A whole ASCII frame with length and CRC (four hex characters)."""
    if len(station) != 10 or not set(station.encode()) <= _HEX_DIGITS:
        raise ValueError(f"station address must be 10 hex digits: {station!r}")
    if len(body) > 0x0FFF:
        raise ValueError(f"body too long: {len(body)}")
    address = f"{center:02X}{station.upper()}" if up else f"{station.upper()}{center:02X}"
    dirlen = (0 if up else 0x8000) | len(body)
    head = f"{address}{password:04X}{function:02X}{dirlen:04X}".encode("ascii")
    frame = bytes([SOH]) + head + bytes([STX]) + body + bytes([end])
    return frame + f"{sl651_crc(frame):04X}".encode("ascii")


def ascii_report_body(
    *,
    serial: int,
    sent_at: datetime,
    station: str,
    station_class: str,
    observed_at: datetime,
    elements: list[tuple[str, float | None, int]],
) -> bytes:
    """表24 body in ASCII words; ``elements`` are (mnemonic, value or None, decimals)."""
    words = [
        f"{serial:04X}{sent_at:%y%m%d%H%M%S}",
        "ST",
        station.upper(),
        station_class,
        "TT",
        f"{observed_at:%y%m%d%H%M}",
    ]
    for name, value, decimals in elements:
        words += [name, "FFFF" if value is None else f"{value:.{decimals}f}"]
    return ("".join(f"{w} " for w in words if w)).encode("ascii")


def ack_for(frame: Sl651Frame, now: datetime, end: int = EOT) -> bytes:
    """The centre's confirmation of an up report: same function, serial and a send time.

    An ASCII report is confirmed in ASCII (serial and time as one word), a HEX one in HEX.
    """
    if frame.ascii:
        head = frame.body[:4]
        serial = int(head, 16) if len(head) == 4 and set(head) <= _HEX_DIGITS else 0
        return build_sl651_ascii(
            center=frame.center,
            station=frame.station,
            password=frame.password,
            function=frame.function,
            body=f"{serial:04X}{now:%y%m%d%H%M%S} ".encode("ascii"),
            up=False,
            end=end,
        )
    serial = int.from_bytes(frame.body[:2], "big") if len(frame.body) >= 2 else 0
    body = serial.to_bytes(2, "big") + bcd_time(now)
    return build_sl651(
        center=frame.center,
        station=frame.station,
        password=frame.password,
        function=frame.function,
        body=body,
        up=False,
        end=end,
    )


# --------------------------------------------------------------------------- stream


class Sl651Stream:
    """Cuts a TCP byte stream into HEX frames: split reads, several per read, resync on junk."""

    MAX_FRAME = HEADER + 1 + 0x0FFF + 3

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Sl651Frame | Rejection]:
        """Frames and rejections completed by ``data``, in stream order."""
        self._buf += data
        out: list[Sl651Frame | Rejection] = []
        while True:
            item = self._next()
            if item is None:
                return out
            out.append(item)

    def _take(self, n: int) -> bytes:
        chunk = bytes(self._buf[:n])
        del self._buf[:n]
        return chunk

    def _start_at(self, begin: int) -> int:
        """Where the first possible frame starts at or after ``begin`` (-1: nowhere).

        A 7E7E always may; an SOH only when the characters after it (as many as have come)
        can be an ASCII header, so a stray 01 byte in junk is junk.
        """
        buf, i = self._buf, begin
        while True:
            found = [c for c in (buf.find(START, i), buf.find(SOH, i)) if c >= 0]
            if not found:
                return -1
            at = min(found)
            if buf[at] != SOH or _ascii_header_ok(bytes(buf[at + 1 : at + 1 + ASCII_HEADER])):
                return at
            i = at + 1

    def _resync(self) -> bytes:
        """Drop up to the next start after the current one (or all but a trailing 7E).

        The next start may be one byte on: a stray 7E before a frame reads as 7E7E7E.
        """
        following = self._start_at(1)
        if following < 0:
            following = len(self._buf) - (1 if self._buf.endswith(b"\x7e") else 0)
        return self._take(max(following, 1))

    def _next(self) -> Sl651Frame | Rejection | None:
        buf = self._buf
        if not buf:
            return None
        start = self._start_at(0)
        if start != 0:
            n = start if start > 0 else len(buf) - (1 if buf.endswith(b"\x7e") else 0)
            if n <= 0:
                return None
            junk = self._take(n)
            return Rejection(
                RejectReason.GARBAGE,
                f"帧外的无效数据 (garbage outside a frame): {len(junk)} 字节",
                junk,
                "",
                PROTOCOL,
            )
        if buf[0] == SOH:
            return self._next_ascii()
        if len(buf) < HEADER + 1:
            return None
        dirlen = int.from_bytes(buf[11:13], "big")
        station = (buf[3:8] if dirlen >> 12 == 0 else buf[2:7]).hex().upper()
        if dirlen >> 12 not in (0, 8) or buf[HEADER] not in (STX, SYN):
            message = f"帧头错误 (bad header): 上下行 {dirlen >> 12:X}，起始符 {buf[HEADER]:02X}"
            raw = self._resync()
            return Rejection(
                RejectReason.MALFORMED,
                message,
                raw,
                station,
                PROTOCOL,
            )
        total = HEADER + 1 + (dirlen & 0x0FFF) + 3
        if len(buf) < total:
            return None
        if buf[total - 3] not in UP_ENDS | DOWN_ENDS:
            raw = self._resync()
            return Rejection(
                RejectReason.BAD_END,
                f"长度字段 {dirlen & 0x0FFF} 处没有结束符 (no ETX/ETB where the length says)",
                raw,
                station,
                PROTOCOL,
            )
        try:
            frame = parse_sl651(bytes(buf[:total]))
        except FrameError as exc:
            # refused: drop only up to the next 7E7E, which may be a good frame the damaged
            # length field reached into
            return exc.rejection(self._resync(), PROTOCOL)
        self._take(total)
        return frame

    def _next_ascii(self) -> Sl651Frame | Rejection | None:
        buf = self._buf
        if len(buf) < ASCII_HEADER + 1:
            return None
        head = bytes(buf[1:ASCII_HEADER])  # checked by _start_at: hex digits, STX/SYN after
        dirlen = int(head[18:22], 16)
        station = (head[2:12] if dirlen >> 12 == 0 else head[0:10]).decode("ascii").upper()
        total = ASCII_HEADER + 1 + (dirlen & 0x0FFF) + 1 + 4
        if len(buf) < total:
            return None
        if buf[total - 5] not in UP_ENDS | DOWN_ENDS:
            raw = self._resync()
            return Rejection(
                RejectReason.BAD_END,
                f"长度字段 {dirlen & 0x0FFF} 处没有结束符 (no ETX/ETB where the length says)",
                raw,
                station,
                PROTOCOL,
            )
        try:
            frame = parse_sl651_ascii(bytes(buf[:total]))
        except FrameError as exc:  # as for HEX: a good frame may start inside
            return exc.rejection(self._resync(), PROTOCOL)
        self._take(total)
        return frame
