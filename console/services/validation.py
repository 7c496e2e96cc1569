"""Field checks shared by every write path; messages are shown next to the field."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QCoreApplication

from console.domain.entities import Casualties
from console.timeutil import utcnow

TITLE_MAX = 200
SHORT_MAX = 200
NAME_MAX = 64  # names, titles and usernames (String(64) columns)
TEXT_MAX = 20_000
PHONE_RE = re.compile(r"^[0-9+\-() 转]{3,32}$")
DIVISION_RE = re.compile(r"^[1-8][0-9]{5}$")

# Bounding box of China's territory (WGS-84), generous at the edges.
CHINA_LON = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)
EARLIEST = datetime(1949, 10, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(minutes=10)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Validation", text)


class Checker:
    """Collects field errors; ``errors`` is empty when the input is acceptable."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        """Record the first problem of a field."""
        self.errors.setdefault(field, message)

    def required(self, field: str, value: object) -> bool:
        """The field must not be empty."""
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(field, _tr("必填"))
            return False
        return True

    def length(self, field: str, value: str, limit: int) -> None:
        """Text must fit its column (and hold no NUL, which PostgreSQL text cannot store)."""
        if "\x00" in value:
            self.fail(field, _tr("含有空字符 (NUL)，不能保存"))
        if len(value) > limit:
            self.fail(field, _tr("太长：{n} 字，最多 {limit} 字").format(n=len(value), limit=limit))

    def time(self, field: str, value: datetime | None, *, required: bool = False) -> None:
        """A time must be real, not before 1949 and not in the future."""
        if value is None:
            if required:
                self.fail(field, _tr("必填"))
            return
        if value.tzinfo is None:
            self.fail(field, _tr("时间缺少时区"))
        elif value < EARLIEST:
            self.fail(field, _tr("时间不可能早于 1949-10-01"))
        elif value > utcnow() + FUTURE_SLACK:
            self.fail(field, _tr("时间不能晚于现在"))

    def coordinates(self, lon: float | None, lat: float | None) -> None:
        """Both or neither; both finite and inside China."""
        if lon is None and lat is None:
            return
        if lon is None or lat is None:
            self.fail("lon" if lon is None else "lat", _tr("经度和纬度需同时填写"))
            return
        if not (math.isfinite(lon) and math.isfinite(lat)):
            self.fail("lon", _tr("坐标不是有效数字"))
        elif not CHINA_LON[0] <= lon <= CHINA_LON[1]:
            self.fail("lon", _tr("经度 {v} 不在中国境内 (73.4–135.1)").format(v=lon))
        elif not CHINA_LAT[0] <= lat <= CHINA_LAT[1]:
            self.fail("lat", _tr("纬度 {v} 不在中国境内 (3.8–53.6)").format(v=lat))

    def division(self, field: str, code: str | None, known: bool | None) -> None:
        """A GB/T 2260 code: six digits, and known when the division table is loaded."""
        if not code:
            return
        if not DIVISION_RE.match(code):
            self.fail(field, _tr("行政区划代码应为 6 位数字"))
        elif known is False:
            self.fail(field, _tr("未知的行政区划代码 {code}").format(code=code))

    def phone(self, field: str, value: str) -> None:
        """A phone number of digits and the usual separators."""
        if value and not PHONE_RE.match(value):
            self.fail(field, _tr("电话号码格式不对"))

    def casualties(self, value: Casualties) -> None:
        """Counts are whole numbers from 0 to a million."""
        for name in ("deaths", "injuries", "missing", "trapped"):
            n = getattr(value, name)
            if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 1_000_000:
                self.fail(name, _tr("人数应为 0 到 1000000 的整数"))
