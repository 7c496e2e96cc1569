r"""HJ 212-2017 (and HJ/T 212-2005) packets: CRC, parsing, building, replies, stream reassembly.

A packet is ``##`` + 4-digit data-segment length + data segment + 4 hex CRC + CRLF::

    ##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n

The length counts the data segment's bytes (UTF-8); the CRC is the standard's Appendix A
algorithm over the data segment only (not plain CRC-16/MODBUS), printed high byte first.
HJ/T 212-2005 packets have no ``QN`` and no ``Flag``; both forms parse. See
``reference/monitoring/HJ212-2017_notes.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from devices.monitoring.common import FrameError, Rejection, RejectReason

PROTOCOL = "hj212"
MAX_DATA = 1024  # §6.3 表 2: the data segment is 0..1024 characters
HEADER_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
REQUIRED_KEYS = ("ST", "CN", "PW", "MN")

#: Uploads of data the platform answers with 9014 (数据应答) when the Flag asks for a reply.
DATA_COMMANDS = frozenset({"2011", "2021", "2031", "2041", "2051", "2061", "2081"})
#: Answers themselves: never answered again.
ANSWER_COMMANDS = frozenset({"9011", "9012", "9013", "9014"})

#: Common factor codes (Appendix B; HJ/T 212-2005 codes in brackets in the notes): name, unit.
FACTORS: dict[str, tuple[str, str]] = {
    "w00000": ("污水流量", "L/s"),
    "w01001": ("pH", ""),
    "w01018": ("化学需氧量", "mg/L"),
    "w21003": ("氨氮", "mg/L"),
    "w21001": ("总氮", "mg/L"),
    "w21011": ("总磷", "mg/L"),
    "a21026": ("二氧化硫", "mg/m³"),
    "a21002": ("氮氧化物", "mg/m³"),
    "a21005": ("一氧化碳", "mg/m³"),
    "a34013": ("烟尘", "mg/m³"),
    "a34002": ("PM10", "µg/m³"),
    "a34004": ("PM2.5", "µg/m³"),
    "a19001": ("氧气含量", "%"),
    "a00000": ("废气流量", "m³/s"),
    "B01": ("污水流量", "L/s"),
    "011": ("化学需氧量", "mg/L"),
    "060": ("氨氮", "mg/L"),
    "001": ("pH", ""),
}

#: QnRtn (表 7): how a request was received.
QN_READY = 1
QN_REJECTED = 2
QN_PW_ERROR = 3
QN_MN_ERROR = 4
QN_CRC_ERROR = 9

_MN_RE = re.compile(rb"MN=([^;&]*)")
_CRC_RE = re.compile(rb"[0-9A-Fa-f]{4}")
_QN_RE = re.compile(r"\d{17}")
_CN_RE = re.compile(r"\d{4}")
_ST_RE = re.compile(r"[0-9A-Z]{2}")


def hj212_crc(data: bytes) -> int:
    """The HJ 212 Appendix A CRC16 of ``data`` (register shifted right by 8 before each byte)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            check = crc & 1
            crc >>= 1
            if check:
                crc ^= 0xA001
    return crc


@dataclass(frozen=True, slots=True)
class Hj212Value:
    """One ``code-Field=value`` of the CP data area, e.g. ``w01018-Rtd=12.3``."""

    code: str  # factor code: ``w01018`` (2017) or ``011`` (2005)
    field: str  # Rtd, Avg, Min, Max, Cou, Flag, ZsRtd, SampleTime, EFlag, …
    text: str


@dataclass(frozen=True, slots=True)
class Hj212Packet:
    """One accepted packet (length and CRC checked, fields well-formed)."""

    data: str  # the data segment
    crc: int
    st: str
    cn: str
    pw: str
    mn: str
    qn: str = ""
    flag: int | None = None  # None: HJ/T 212-2005 form
    pnum: int | None = None
    pno: int | None = None
    cp: dict[str, str] = field(default_factory=dict)  # every key=value of the CP area, in order

    @property
    def version(self) -> int:
        """Standard version bits of the Flag: 0 = HJ/T 212-2005, 1 = HJ 212-2017."""
        return 0 if self.flag is None else self.flag >> 2

    @property
    def reply_requested(self) -> bool:
        """Flag bit A: the sender wants an answer."""
        return self.flag is not None and bool(self.flag & 1)

    @property
    def split(self) -> bool:
        """Flag bit D: PNUM/PNO are present (one of several packets)."""
        return self.flag is not None and bool(self.flag & 2)

    @property
    def data_time(self) -> datetime | None:
        """``DataTime`` as naive Beijing time, or None."""
        text = self.cp.get("DataTime")
        return parse_time(text) if text else None

    def values(self) -> list[Hj212Value]:
        """The ``code-Field`` items of the CP area (``DataTime`` and the like left out)."""
        out: list[Hj212Value] = []
        for key, text in self.cp.items():
            code, dash, name = key.rpartition("-")
            if dash and code:
                out.append(Hj212Value(code, name, text))
        return out

    def measurements(self) -> dict[str, dict[str, str]]:
        """Factor code → {field: text}, e.g. ``{"w01018": {"Rtd": "12.3", "Flag": "N"}}``."""
        out: dict[str, dict[str, str]] = {}
        for value in self.values():
            out.setdefault(value.code, {})[value.field] = value.text
        return out


def parse_time(text: str) -> datetime:
    """``YYYYMMDDhhmmss`` or ``YYYYMMDDhhmmsszzz`` as a naive datetime.

    Raises:
        FrameError: not such a time.
    """
    if not (text.isdigit() and len(text) in (14, 17)):
        raise FrameError(
            RejectReason.MALFORMED,
            f"时间格式错误 (bad time) {text!r}: 应为 YYYYMMDDhhmmss[zzz]",
        )
    try:
        value = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise FrameError(
            RejectReason.MALFORMED, f"时间无效 (invalid time) {text!r}: {exc}"
        ) from exc
    if len(text) == 17:
        value = value.replace(microsecond=int(text[14:]) * 1000)
    return value


def format_time(value: datetime, millis: bool = False) -> str:
    """A naive (Beijing) time as ``YYYYMMDDhhmmss`` (``zzz`` appended with ``millis``)."""
    text = value.strftime("%Y%m%d%H%M%S")
    return text + f"{value.microsecond // 1000:03d}" if millis else text


def _station_of(data: bytes) -> str:
    match = _MN_RE.search(data)
    return match.group(1).decode("utf-8", "replace") if match else ""


def parse_cp(text: str) -> dict[str, str]:
    """The CP area's ``key=value`` items (``;`` between items, ``,`` within one item).

    Raises:
        FrameError: an item without ``=`` or an empty key.
    """
    cp: dict[str, str] = {}
    for group in text.split(";"):
        for item in group.split(","):
            if not item:
                continue
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise FrameError(
                    RejectReason.MALFORMED,
                    f"CP 数据项格式错误 (malformed CP item) {item!r}: 应为 key=value",
                )
            cp[key] = value
    return cp


def parse_data(data: str, crc: int = 0) -> Hj212Packet:
    """The fields of a data segment ``QN=…;ST=…;…;CP=&&…&&``.

    Raises:
        FrameError: a field is missing, repeated or malformed (reason ``malformed``).
    """
    at = data.find("CP=&&")
    if at < 0 or not data.endswith("&&") or len(data) < at + 7:
        raise FrameError(RejectReason.MALFORMED, "缺少数据区 (no CP=&&…&& data area)")
    head, cp_text = data[:at], data[at + 5 : -2]
    if head and not head.endswith(";"):
        raise FrameError(RejectReason.MALFORMED, "CP 前缺少分号 (no ';' before CP=)")
    fields: dict[str, str] = {}
    for item in head.split(";"):
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq:
            raise FrameError(RejectReason.MALFORMED, f"字段格式错误 (malformed field) {item!r}")
        if key not in HEADER_KEYS:
            raise FrameError(RejectReason.MALFORMED, f"未知字段 (unknown field) {key!r}")
        if key in fields:
            raise FrameError(RejectReason.MALFORMED, f"字段重复 (repeated field) {key!r}")
        fields[key] = value
    station = fields.get("MN", "")
    missing = [k for k in REQUIRED_KEYS if k not in fields]
    if missing:
        raise FrameError(
            RejectReason.MALFORMED, f"缺少字段 (missing fields) {', '.join(missing)}", station
        )

    def bad(key: str, rule: str) -> FrameError:
        return FrameError(
            RejectReason.MALFORMED, f"字段 {key}={fields[key]!r} 错误 (malformed): {rule}", station
        )

    if not _ST_RE.fullmatch(fields["ST"]):
        raise bad("ST", "2 个字符 (2 characters)")
    if not _CN_RE.fullmatch(fields["CN"]):
        raise bad("CN", "4 位数字 (4 digits)")
    if "QN" in fields and not _QN_RE.fullmatch(fields["QN"]):
        raise bad("QN", "YYYYMMDDhhmmsszzz")
    flag: int | None = None
    if "Flag" in fields:
        text = fields["Flag"]
        if not text.isdigit() or int(text) > 255:
            raise bad("Flag", "0–255")
        flag = int(text)
    numbers: dict[str, int] = {}
    for key in ("PNUM", "PNO"):
        if key in fields:
            if not fields[key].isdigit():
                raise bad(key, "数字 (a number)")
            numbers[key] = int(fields[key])
    try:
        cp = parse_cp(cp_text)
        if "DataTime" in cp:
            parse_time(cp["DataTime"])
    except FrameError as exc:
        raise FrameError(exc.reason, exc.message, station) from None
    return Hj212Packet(
        data=data,
        crc=crc,
        st=fields["ST"],
        cn=fields["CN"],
        pw=fields["PW"],
        mn=station,
        qn=fields.get("QN", ""),
        flag=flag,
        pnum=numbers.get("PNUM"),
        pno=numbers.get("PNO"),
        cp=cp,
    )


def parse_frame(frame: bytes) -> Hj212Packet:
    r"""Check and parse one whole packet ``##LLLL…CCCC\r\n``.

    Raises:
        FrameError: with the reason (bad_length, too_long, bad_crc, bad_end, malformed).
    """
    station = _station_of(frame)
    if not frame.startswith(b"##"):
        raise FrameError(RejectReason.MALFORMED, "包头不是 ## (no ## at the start)", station)
    if not frame.endswith(b"\r\n"):
        raise FrameError(RejectReason.BAD_END, "包尾不是 CRLF (no CRLF at the end)", station)
    length_field = frame[2:6]
    if len(frame) < 12 or not length_field.isdigit():
        raise FrameError(
            RejectReason.BAD_LENGTH,
            f"长度字段不是 4 位数字 (length field is not 4 digits): {length_field!r}",
            station,
        )
    declared = int(length_field)
    data, crc_field = frame[6:-6], frame[-6:-2]
    if declared != len(data):
        raise FrameError(
            RejectReason.BAD_LENGTH,
            f"长度错误 (bad length): 长度字段 {declared}，数据段实为 {len(data)} 字节",
            station,
        )
    if declared > MAX_DATA:
        raise FrameError(
            RejectReason.TOO_LONG,
            f"数据段过长 (too long): {declared} 字节，最多 {MAX_DATA}",
            station,
        )
    if not _CRC_RE.fullmatch(crc_field):
        raise FrameError(
            RejectReason.BAD_CRC,
            f"CRC 字段不是 4 位十六进制 (CRC field is not 4 hex digits): {crc_field!r}",
            station,
        )
    sent_crc = int(crc_field, 16)  # senders print upper or lower case
    crc = hj212_crc(data)
    if crc != sent_crc:
        raise FrameError(
            RejectReason.BAD_CRC,
            f"CRC 错误 (bad CRC): 包中 {sent_crc:04X}，计算得 {crc:04X}",
            station,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError(
            RejectReason.MALFORMED, f"数据段不是 UTF-8 (not UTF-8): {exc}", station
        ) from None
    return parse_data(text, crc)


def build_frame(data: str) -> bytes:
    """Wrap a data segment into a packet with length, CRC and CRLF."""
    raw = data.encode("utf-8")
    if len(raw) > 9999:
        raise ValueError(f"data segment too long for a 4-digit length: {len(raw)}")
    return b"##%04d%s%04X\r\n" % (len(raw), raw, hj212_crc(raw))


def data_segment(
    *,
    st: str,
    cn: str,
    pw: str,
    mn: str,
    cp: str = "",
    qn: str | None = None,
    flag: int | None = None,
) -> str:
    """``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&cp&&`` (QN and Flag left out when None)."""
    parts = [f"QN={qn}"] if qn is not None else []
    parts += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}"]
    if flag is not None:
        parts.append(f"Flag={flag}")
    return ";".join(parts) + f";CP=&&{cp}&&"


def answer(packet: Hj212Packet, cn: str, cp: str) -> bytes:
    """An answer packet to ``packet``: same QN, PW and MN, ST=91, Flag without the A bit."""
    flag = (packet.flag or 4) & ~0b11
    return build_frame(
        data_segment(st="91", cn=cn, pw=packet.pw, mn=packet.mn, cp=cp, qn=packet.qn, flag=flag)
    )


def reply_for(packet: Hj212Packet, qn_rtn: int = QN_READY) -> bytes | None:
    """What the platform answers when the Flag asks for it, or None.

    Data uploads get 9014 (数据应答, ``CP=&&&&``) when accepted; requests get 9011 (请求应答)
    with ``QnRtn``; a refusal (``qn_rtn`` other than 1, e.g. 4 MN error) is always a 9011.
    Answers (90xx) and packets without a reply bit (or the 2005 form) get nothing.
    """
    if not packet.reply_requested or packet.cn in ANSWER_COMMANDS:
        return None
    if qn_rtn == QN_READY and packet.cn in DATA_COMMANDS:
        return answer(packet, "9014", "")
    return answer(packet, "9011", f"QnRtn={qn_rtn}")


class Hj212Stream:
    r"""Cuts a TCP byte stream into packets: split reads joined, several per read, junk skipped.

    A packet runs from ``##`` to the next CRLF; the length field and CRC are then checked. A new
    ``##`` before the CRLF means the packet before it was cut off (``truncated``).
    """

    MAX_FRAME = 2 + 4 + MAX_DATA + 4 + 2

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a packet."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Hj212Packet | Rejection]:
        """Packets and rejections completed by ``data``, in stream order."""
        self._buf += data
        out: list[Hj212Packet | Rejection] = []
        while True:
            item = self._next()
            if item is None:
                return out
            if item is not _SKIP:
                assert isinstance(item, Hj212Packet | Rejection)
                out.append(item)

    def _take(self, n: int) -> bytes:
        chunk = bytes(self._buf[:n])
        del self._buf[:n]
        return chunk

    def _garbage(self, n: int) -> object:
        junk = self._take(n)
        if not junk.strip(b"\r\n\x00 "):
            return _SKIP  # line ends and padding between packets are harmless
        return Rejection(
            RejectReason.GARBAGE,
            f"包外的无效数据 (garbage outside a packet): {len(junk)} 字节",
            junk,
            "",
            PROTOCOL,
        )

    def _next(self) -> object:
        buf = self._buf
        if not buf:
            return None
        start = buf.find(b"##")
        while start >= 0 and buf[start + 2 : start + 3] == b"#":
            start += 1  # a stray '#' before a packet is junk, not part of its header
        if start < 0:
            keep = 1 if buf.endswith(b"#") else 0
            if len(buf) - keep <= 0:
                return None
            return self._garbage(len(buf) - keep)
        if start > 0:
            return self._garbage(start)
        end = buf.find(b"\r\n", 2)
        following = buf.find(b"##", 2)
        if following >= 0 and (end < 0 or following < end):
            raw = self._take(following)
            return Rejection(
                RejectReason.TRUNCATED,
                f"数据包不完整 (truncated packet): {len(raw)} 字节后出现新的包头 ##",
                raw,
                _station_of(raw),
                PROTOCOL,
            )
        if end < 0:
            if len(buf) <= self.MAX_FRAME:
                return None  # wait for the rest
            raw = self._take(len(buf) - (1 if buf.endswith(b"#") else 0))
            return Rejection(
                RejectReason.TOO_LONG,
                f"超过 {self.MAX_FRAME} 字节仍无包尾 (no CRLF within the longest packet)",
                raw,
                _station_of(raw),
                PROTOCOL,
            )
        raw = self._take(end + 2)
        try:
            return parse_frame(raw)
        except FrameError as exc:
            return exc.rejection(raw, PROTOCOL)


_SKIP = object()
