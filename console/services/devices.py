"""Configured devices: stored, validated, audited, imported from TOML; commands to the trail.

The administrator's devices live in the ``device`` table. Every write is checked with
:meth:`DeviceConfig.problems`, audited with its before and after, and announced as the
``devices`` topic. :meth:`DeviceService.record_command` is the device manager's recorder: every
command and its outcome goes to the audit trail and, when issued for an incident, onto its
timeline.
"""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.session import Database
from console.devices.config import (
    CAMERA_KEYS,
    FAX_KEYS,
    PHONE_KEYS,
    DeviceConfig,
    DeviceKind,
    config_from_mapping,
    config_to_mapping,
)
from console.devices.manager import CommandResult
from console.domain import EventKind, NotFoundError, ValidationError
from console.services import audit, convert
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC = "devices"
SETTING_KEYS = (
    "baud",
    "bytesize",
    "parity",
    "stopbits",
    "rs485",
    "timeout",
    "address",
    "inputs",
    "outputs",
    *CAMERA_KEYS,
    *PHONE_KEYS,
    *FAX_KEYS,
    "sample_rate",
)
NAME_KEYS = ("input_names", "output_names", "preset_names")
MAX_TOML_BYTES = 1_000_000
MAX_SUMMARY_ITEMS = 64

# What a TOML value must be, per key (config_from_mapping converts liberally: "false" → True).
_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "kind": (str,),
    "protocol": (str,),
    "url": (str,),
    "baud": (int,),
    "bytesize": (int,),
    "parity": (str,),
    "stopbits": (int, float),
    "rs485": (bool,),
    "timeout": (int, float),
    "address": (int,),
    "inputs": (int,),
    "outputs": (int,),
    "input_names": (dict,),
    "output_names": (dict,),
    "preset_names": (dict,),
    "enabled": (bool,),
    "sub_url": (str,),
    "ptz": (str,),
    "matrix": (str,),
    "matrix_input": (int,),
    "lon": (int, float),
    "lat": (int, float),
    **{key: (str,) for key in PHONE_KEYS},
    **{key: (str,) for key in FAX_KEYS},
    "sample_rate": (int,),
}

DIRECTION_WORDS = {
    "up": "上",
    "down": "下",
    "left": "左",
    "right": "右",
    "up-left": "左上",
    "up-right": "右上",
    "down-left": "左下",
    "down-right": "右下",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Devices", text)


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One ``[[device]]`` table that was not imported, and why."""

    index: int  # 1-based position in the file
    name: str  # the table's name, or "" when it has none
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What a TOML import did: names added, updated, unchanged; tables refused."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every table was imported."""
        return not self.problems


# --------------------------------------------------------------------------- row ↔ config


def _row_to_config(row: m.DeviceRow) -> DeviceConfig:
    data: dict[str, Any] = {
        "name": row.name,
        "kind": row.kind,
        "protocol": row.protocol,
        "url": row.url,
        "enabled": row.enabled,
    }
    data.update({k: v for k, v in (row.settings or {}).items() if k in SETTING_KEYS})
    data.update({k: v for k, v in (row.names or {}).items() if k in NAME_KEYS})
    return config_from_mapping(data)


def _columns(cfg: DeviceConfig) -> dict[str, Any]:
    """The column values of a configuration."""
    mapping = config_to_mapping(cfg)
    return {
        "name": cfg.name,
        "kind": DeviceKind(cfg.kind).value,
        "protocol": cfg.protocol,
        "url": cfg.url,
        "settings": {k: mapping[k] for k in SETTING_KEYS if k in mapping},
        "names": {k: mapping[k] for k in NAME_KEYS},
        "enabled": cfg.enabled,
    }


def validate(cfg: DeviceConfig) -> None:
    """Raise ValidationError (field → message) when ``cfg`` has problems."""
    errors = cfg.problems()
    if errors:
        raise ValidationError(errors)


def check_types(data: Mapping[str, Any]) -> dict[str, str]:
    """Field → message for values of the wrong type in a TOML/JSON table."""
    errors: dict[str, str] = {}
    for key, value in data.items():
        wanted = _TYPES.get(key)
        if wanted is None or value is None:
            continue
        # bool is an int to isinstance, but `baud = true` is no baud rate
        ok = isinstance(value, wanted) and not (isinstance(value, bool) and bool not in wanted)
        if ok and isinstance(value, dict):
            ok = all(str(k).strip().isdigit() and isinstance(v, str) for k, v in value.items())
        if not ok:
            names = " or ".join(t.__name__ for t in wanted)
            if wanted == (dict,):
                names = 'a table of number = "name"'
            errors[key] = _tr("类型错误 (wrong type): 应为 {wanted}，实为 {value}").format(
                wanted=names, value=json.dumps(value, ensure_ascii=False, default=str)
            )
    return errors


# --------------------------------------------------------------------------- TOML writing


def _toml_string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _toml_string(str(value))


def to_toml(configs: Iterable[DeviceConfig]) -> str:
    """Configurations as a TOML file of ``[[device]]`` tables (``import_toml`` reads it back)."""
    out = [
        "# 设备配置 Duty Console devices: one [[device]] table per device.",
        "# duty-console device import FILE",
        "",
    ]
    for cfg in configs:
        mapping = config_to_mapping(cfg)
        out.append("[[device]]")
        for key, value in mapping.items():
            if key in NAME_KEYS or value is None:
                continue
            out.append(f"{key} = {_toml_value(value)}")
        for key in NAME_KEYS:
            names = mapping[key]
            if names:
                out.append(f"[device.{key}]")
                out.extend(
                    f"{_toml_string(str(n))} = {_toml_string(v)}"
                    for n, v in sorted(names.items(), key=lambda item: int(item[0]))
                )
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- commands


def json_safe(value: Any) -> Any:
    """A JSON-able summary of a command's value (routing, info, None)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        items = list(value.items())
        summary = {str(k): json_safe(v) for k, v in items[:MAX_SUMMARY_ITEMS]}
        if len(items) > MAX_SUMMARY_ITEMS:
            summary["…"] = f"{len(items) - MAX_SUMMARY_ITEMS} more"
        return summary
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value[:MAX_SUMMARY_ITEMS]]
    return str(value)


def _preset(cfg: DeviceConfig | None, n: object) -> str:
    name = cfg.preset_names.get(int(str(n)), "") if cfg and str(n).isdigit() else ""
    return f"{n}（{name}）" if name else f"{n}"


def describe_command(cfg: DeviceConfig | None, action: str, args: tuple[Any, ...]) -> str:
    """A command in the duty room's words, e.g. ``输入3 → 输出2`` or ``转到预置位 2``."""

    def inp(n: object) -> str:
        return cfg.label_of_input(int(str(n))) if cfg and str(n).isdigit() else f"输入{n}"

    def out(n: object) -> str:
        return cfg.label_of_output(int(str(n))) if cfg and str(n).isdigit() else f"输出{n}"

    a = list(args)
    try:
        if action == "route":
            return f"{inp(a[0])} → {out(a[1])}"
        if action == "route_many":
            return f"{inp(a[0])} → {'、'.join(out(o) for o in a[1])}"
        if action == "route_all":
            return _tr("{inp} → 全部输出").format(inp=inp(a[0]))
        if action == "preset_recall":
            return _tr("调用场景 {n}").format(n=_preset(cfg, a[0]))
        if action == "preset_store":
            return _tr("保存场景 {n}").format(n=_preset(cfg, a[0]))
        if action == "status":
            return _tr("读取路由状态")
        if action == "identify":
            return _tr("识别设备")
        if action == "test":
            return _tr("连接测试")
        if action == "move":
            speed = a[1] if len(a) > 1 else 50
            word = DIRECTION_WORDS.get(str(a[0]), str(a[0]))
            return _tr("云台向{direction}转动，速度 {speed}").format(direction=word, speed=speed)
        if action == "stop":
            return _tr("云台停止")
        if action == "zoom":
            word = _tr("拉近") if str(a[0]) in ("in", "tele") else _tr("拉远")
            return _tr("镜头{direction}").format(direction=word)
        if action == "zoom_stop":
            return _tr("停止变焦")
        if action == "preset_go":
            return _tr("转到预置位 {n}").format(n=_preset(cfg, a[0]))
        if action == "preset_set":
            return _tr("设置预置位 {n}").format(n=_preset(cfg, a[0]))
        if action == "preset_clear":
            return _tr("清除预置位 {n}").format(n=_preset(cfg, a[0]))
    except (IndexError, TypeError, ValueError):
        pass
    shown = " ".join(str(x) for x in a)
    return f"{action} {shown}".strip()


def parse_toml(text: str) -> list[Any]:
    """The ``[[device]]`` tables of a TOML text.

    Raises:
    ValidationError: too big, not TOML, other top-level keys, or no tables (``file``).
    """
    if len(text.encode("utf-8", "replace")) > MAX_TOML_BYTES:
        raise ValidationError(
            {"file": _tr("文件太大 (file too large): 最多 {n} 字节").format(n=MAX_TOML_BYTES)}
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError({"file": _tr("TOML 语法错误 (not TOML): {e}").format(e=exc)}) from exc
    except RecursionError:  # arrays nested thousands deep: no device table, and no crash
        raise ValidationError({"file": _tr("TOML 嵌套太深 (nested too deeply)")}) from None
    unknown = sorted(set(data) - {"device"})
    if unknown:
        raise ValidationError(
            {
                "file": _tr(
                    "未知的顶层键 (unknown top-level keys): {keys}; 设备写作 [[device]]"
                ).format(keys=", ".join(unknown))
            }
        )
    tables = data.get("device")
    if not isinstance(tables, list) or not tables:
        raise ValidationError({"file": _tr("没有 [[device]] 表 (no [[device]] tables)")})
    return tables


# --------------------------------------------------------------------------- the service


class DeviceService:
    """Stores the administrator's devices and records every device command."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)

    # -- reading --------------------------------------------------------------------------------

    def list(self) -> list[DeviceConfig]:
        """Every configured device, by name."""
        with self._db.read() as s:
            rows = s.scalars(select(m.DeviceRow).order_by(m.DeviceRow.name))
            return [_row_to_config(r) for r in rows]

    def get(self, name: str) -> DeviceConfig:
        """One device by name.

        Raises:
            NotFoundError: no device has that name.
        """
        with self._db.read() as s:
            return _row_to_config(self._row(s, name))

    def find(self, name: str) -> DeviceConfig | None:
        """One device by name, or None."""
        with self._db.read() as s:
            row = self._find(s, name)
            return _row_to_config(row) if row is not None else None

    # -- writing --------------------------------------------------------------------------------

    def add(self, actor: str, cfg: DeviceConfig) -> DeviceConfig:
        """Store a new device.

        Raises:
            ValidationError: a field is wrong, or the name is taken (``name``).
        """
        validate(cfg)
        with self._db.transaction() as s:
            self._add(s, actor, cfg)
        self._notify(TOPIC)
        return cfg

    def update(self, actor: str, name: str, cfg: DeviceConfig) -> DeviceConfig:
        """Replace the configuration of device ``name`` (``cfg.name`` may rename it).

        Raises:
            NotFoundError: no device has that name.
            ValidationError: a field is wrong, or the new name is taken.
        """
        validate(cfg)
        with self._db.transaction() as s:
            row = self._row(s, name)
            self._update(s, actor, row, cfg)
        self._notify(TOPIC)
        return cfg

    def upsert(self, actor: str, cfg: DeviceConfig) -> str:
        """Add ``cfg``, or update the device of the same name; "added", "updated", "unchanged"."""
        validate(cfg)
        with self._db.transaction() as s:
            outcome = self._upsert(s, actor, cfg)
        if outcome != "unchanged":
            self._notify(TOPIC)
        return outcome

    def remove(self, actor: str, name: str) -> None:
        """Delete a device.

        Raises:
            NotFoundError: no device has that name.
        """
        with self._db.transaction() as s:
            row = self._row(s, name)
            before = convert.snapshot(row)
            s.delete(row)
            audit.append(s, actor, "device.remove", "device", row.id, before, None)
        self._notify(TOPIC)

    def set_enabled(self, actor: str, name: str, enabled: bool) -> DeviceConfig:
        """Switch a device on or off (a disabled device is configured but never opened)."""
        with self._db.transaction() as s:
            row = self._row(s, name)
            if row.enabled == enabled:
                return _row_to_config(row)
            before = convert.snapshot(row)
            row.enabled = enabled
            row.updated_at = utcnow()
            s.flush()
            action = "device.enable" if enabled else "device.disable"
            audit.append(s, actor, action, "device", row.id, before, convert.snapshot(row))
            cfg = _row_to_config(row)
        self._notify(TOPIC)
        return cfg

    # -- TOML -----------------------------------------------------------------------------------

    def import_toml(self, actor: str, text: str) -> ImportReport:
        """Add or update every good ``[[device]]`` table; report every bad one.

        Each device is written in its own transaction: a bad table leaves nothing behind, and
        does not keep the good ones out.

        Raises:
            ValidationError: the file is no TOML, too big, or has no ``[[device]]`` tables
                (field ``file``); nothing was written.
        """
        tables = parse_toml(text)
        report = ImportReport()
        seen: dict[str, int] = {}
        for index, table in enumerate(tables, start=1):
            name = str(table.get("name", "")) if isinstance(table, dict) else ""
            if not isinstance(table, dict):
                report.problems.append(ImportProblem(index, "", _tr("不是表 (not a table)")))
                continue
            if name in seen:
                report.problems.append(
                    ImportProblem(
                        index,
                        name,
                        _tr("名称重复，与第 {n} 个相同 (duplicate name, as #{n})").format(
                            n=seen[name]
                        ),
                    )
                )
                continue
            try:
                errors = check_types(table)
                if errors:
                    raise ValidationError(errors)
                try:
                    cfg = config_from_mapping(table)
                except ValueError as exc:
                    raise ValidationError({"device": str(exc)}) from exc
                validate(cfg)
                with self._db.transaction() as s:
                    outcome = self._upsert(s, actor, cfg)
            except ValidationError as exc:
                report.problems.append(ImportProblem(index, name, str(exc)))
                continue
            seen[name] = index
            getattr(report, outcome).append(cfg.name)
        if report.added or report.updated:
            self._notify(TOPIC)
        return report

    def export_toml(self) -> str:
        """Every device as TOML, in the form ``import_toml`` reads."""
        return to_toml(self.list())

    # -- commands -------------------------------------------------------------------------------

    def record_command(self, result: CommandResult) -> None:
        """Audit one device command; put it on its incident's timeline when it has one.

        The device manager's recorder: called in the device's worker thread.
        """
        with self._db.transaction() as s:
            row = self._find(s, result.device)
            cfg = _row_to_config(row) if row is not None else None
            what = describe_command(cfg, result.action, result.args)
            after = {
                "device": result.device,
                "command_id": result.id,
                "args": json_safe(list(result.args)),
                "ok": result.ok,
                "reason": result.reason,
                "value": json_safe(result.value),
                "text": what,
                "started_at": _iso(result.started_at),
                "finished_at": _iso(result.finished_at),
                "incident_id": result.incident_id,
            }
            entity_id = row.id if row is not None else result.device
            audit.append(
                s, result.actor, f"device.{result.action}", "device", entity_id, None, after
            )
            on_timeline = False
            if result.incident_id is not None:
                if s.get(m.IncidentRow, result.incident_id) is None:
                    log.warning(
                        "device command %s names incident #%s, which does not exist",
                        result.id,
                        result.incident_id,
                    )
                else:
                    if result.ok:
                        text = _tr("{device}：{what} 成功").format(device=result.device, what=what)
                    else:
                        text = _tr("{device}：{what} 失败：{reason}").format(
                            device=result.device, what=what, reason=result.reason
                        )
                    s.add(
                        m.IncidentEventRow(
                            incident_id=result.incident_id,
                            at=result.finished_at,
                            actor=result.actor,
                            kind=EventKind.DEVICE.value,
                            text=text,
                            data={
                                "device": result.device,
                                "action": result.action,
                                "args": after["args"],
                                "ok": result.ok,
                                "reason": result.reason,
                            },
                        )
                    )
                    on_timeline = True
        if on_timeline:
            self._notify("incidents")

    # -- inside a transaction ---------------------------------------------------------------------

    @staticmethod
    def _find(s: Session, name: str) -> m.DeviceRow | None:
        return s.scalar(select(m.DeviceRow).where(m.DeviceRow.name == name))

    def _row(self, s: Session, name: str) -> m.DeviceRow:
        row = self._find(s, name)
        if row is None:
            raise NotFoundError(_tr("设备 {name!r} 不存在 (no such device)").format(name=name))
        return row

    def _name_taken(self, s: Session, name: str) -> None:
        if self._find(s, name) is not None:
            raise ValidationError(
                {
                    "name": _tr("已有同名设备 (a device of this name exists): {name}").format(
                        name=name
                    )
                }
            )

    def _add(self, s: Session, actor: str, cfg: DeviceConfig) -> m.DeviceRow:
        self._name_taken(s, cfg.name)
        now = utcnow()
        row = m.DeviceRow(**_columns(cfg), created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        audit.append(s, actor, "device.add", "device", row.id, None, convert.snapshot(row))
        return row

    def _update(self, s: Session, actor: str, row: m.DeviceRow, cfg: DeviceConfig) -> bool:
        """Apply ``cfg``; False (and no audit record) when nothing changed."""
        if cfg.name != row.name:
            self._name_taken(s, cfg.name)
        columns = _columns(cfg)
        if all(getattr(row, k) == v for k, v in columns.items()):
            return False
        before = convert.snapshot(row)
        for key, value in columns.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.flush()
        audit.append(s, actor, "device.update", "device", row.id, before, convert.snapshot(row))
        return True

    def _upsert(self, s: Session, actor: str, cfg: DeviceConfig) -> str:
        row = self._find(s, cfg.name)
        if row is None:
            self._add(s, actor, cfg)
            return "added"
        return "updated" if self._update(s, actor, row, cfg) else "unchanged"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
