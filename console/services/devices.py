"""Configured devices: stored, validated, audited, imported from TOML; commands to the trail.

The administrator's devices live in the ``device`` table. Every write is checked with
:meth:`DeviceConfig.problems`, audited with its before and after, and announced as the
``devices`` topic. :meth:`DeviceService.record_command` is the device manager's recorder:
every command and its outcome goes to the audit trail and, when issued for an incident, onto
its timeline.

A PBX's ``secret`` is stored only sealed under the device-credentials key
(:mod:`console.devices.credentials`) and is unsealed when a configuration is read, in memory,
for the device manager. An empty secret in a write keeps the stored one (the settings dialog's
"不更改", an import without ``secret``). A legacy plain secret still works and is sealed on the
device's next save, or by :meth:`DeviceService.seal_legacy_secrets`. The audit trail shows a
secret only as ``••••`` or ``••••（已更改）``; TOML exports leave it out unless asked.
"""

from __future__ import annotations

import builtins
import json
import logging
import threading
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import select
from sqlalchemy.orm import Session

from console import crypto
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
from console.devices.credentials import CredentialError, CredentialKey
from console.devices.manager import CommandResult
from console.domain import EventKind, NotFoundError, ValidationError
from console.records import record_text as _zh
from console.services import audit, convert
from console.timeutil import utcnow

log = logging.getLogger(__name__)

TOPIC = "devices"
EXPORT_SECRETS_ACTION = "device.export_secrets"
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
SYSTEM_ACTOR = "system"  # the program itself (console.security.AUTOMATED)
#: How a stored secret appears in the audit trail: unchanged, or changed by this write.
SECRET_MASK = "••••"
SECRET_CHANGED = "••••（已更改）"
#: A secret this short is not searched for in command records (it would blank out digits).
MIN_SCRUBBED = 4
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


_reported_lock = threading.Lock()
_reported: set[tuple[str, str]] = set()


def _report_once(device: str, problem: str) -> None:
    """Log a device's unreadable secret once per message (configurations are read often)."""
    with _reported_lock:
        if (device, problem) in _reported:
            return
        _reported.add((device, problem))
    log.error("device %s: %s", device, problem)


def _stored_secret(row: m.DeviceRow | None) -> str:
    return str((row.settings or {}).get("secret") or "") if row is not None else ""


def _row_to_config(row: m.DeviceRow, key: CredentialKey) -> DeviceConfig:
    """The configuration of a row, its secret unsealed (or why it cannot be, on this seat)."""
    data: dict[str, Any] = {
        "name": row.name,
        "kind": row.kind,
        "protocol": row.protocol,
        "url": row.url,
        "enabled": row.enabled,
    }
    data.update({k: v for k, v in (row.settings or {}).items() if k in SETTING_KEYS})
    data.update({k: v for k, v in (row.names or {}).items() if k in NAME_KEYS})
    stored = str(data.pop("secret", None) or "")
    cfg = config_from_mapping(data)
    if not stored:
        return cfg
    try:
        return replace(cfg, secret=key.unseal(stored))
    except CredentialError as exc:
        _report_once(row.name, str(exc))
        return replace(cfg, credential_error=str(exc))


def _sealed_secret(
    row: m.DeviceRow | None, cfg: DeviceConfig, key: CredentialKey
) -> tuple[str, bool]:
    """What to store as ``cfg``'s secret over the row's, and whether the secret changed.

    An empty secret keeps the stored one (a legacy plain one is sealed now); the same secret
    keeps the stored sealed text as it is (nothing to write, nothing to audit).

    Raises:
        ValidationError: no key to seal with (``secret``).
    """
    stored = _stored_secret(row) if cfg.kind == DeviceKind.PBX else ""
    wanted = cfg.secret if cfg.kind == DeviceKind.PBX else ""
    try:
        if not wanted:
            if stored and not crypto.is_sealed_text(stored):
                return key.seal(stored), False
            return stored, False
        if stored:
            try:
                if key.unseal(stored) == wanted:
                    if crypto.is_sealed_text(stored):
                        return stored, False
                    return key.seal(wanted), False
            except CredentialError:
                pass  # unreadable here: the administrator gives it anew
        return key.seal(wanted), True
    except CredentialError as exc:
        log.error("device %s: secret not stored: %s", cfg.name, exc)
        raise ValidationError(
            {"secret": _tr("无法保存设备凭据：{reason}").format(reason=exc)}
        ) from exc


def _columns(cfg: DeviceConfig, secret: str = "") -> dict[str, Any]:
    """The column values of a configuration (``secret``: the sealed secret to store)."""
    mapping = config_to_mapping(cfg)
    settings = {k: mapping[k] for k in SETTING_KEYS if k in mapping}
    if cfg.kind == DeviceKind.PBX:
        settings["secret"] = secret
    return {
        "name": cfg.name,
        "kind": DeviceKind(cfg.kind).value,
        "protocol": cfg.protocol,
        "url": cfg.url,
        "settings": settings,
        "names": {k: mapping[k] for k in NAME_KEYS},
        "enabled": cfg.enabled,
    }


def _snapshot(row: m.DeviceRow, mark: str = SECRET_MASK) -> dict[str, Any]:
    """A row for the audit trail: a stored secret shows only as ``mark``."""
    snap = convert.snapshot(row)
    settings = snap.get("settings")
    if isinstance(settings, dict) and settings.get("secret"):
        snap["settings"] = {**settings, "secret": mark}
    return snap


def _scrub(value: Any, secret: str) -> Any:
    """``value`` with every occurrence of ``secret`` in its strings replaced by the mask."""
    if len(secret) < MIN_SCRUBBED:
        return value
    if isinstance(value, str):
        return value.replace(secret, SECRET_MASK)
    if isinstance(value, dict):
        return {k: _scrub(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secret) for v in value]
    return value


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


def to_toml(configs: Iterable[DeviceConfig], *, secrets: bool = False) -> str:
    """Configurations as a TOML file of ``[[device]]`` tables (``import_toml`` reads it back).

    A PBX's secret is written only with ``secrets`` (in plain text: keep such a file safe);
    without it, importing the file keeps the secrets stored.
    """
    out = [
        "# 设备配置 Duty Console devices: one [[device]] table per device.",
        "# duty-console device import FILE",
        "",
    ]
    for cfg in configs:
        mapping = config_to_mapping(cfg, secret=secrets and bool(cfg.secret))
        out.append("[[device]]")
        if cfg.kind == DeviceKind.PBX and "secret" not in mapping:
            out.append("# secret: 未导出，导入时保留已存的凭据 (not exported; import keeps it)")
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


def describe_command(
    cfg: DeviceConfig | None, action: str, args: tuple[Any, ...], *, record: bool = False
) -> str:
    """A command in the duty room's words, e.g. ``输入3 → 输出2`` or ``转到预置位 2``.

    ``record``: the Chinese of the shared records (timeline, audit), whatever the UI language.
    """

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
            return (_zh("{inp} → 全部输出") if record else _tr("{inp} → 全部输出")).format(
                inp=inp(a[0])
            )
        if action == "preset_recall":
            return (_zh("调用场景 {n}") if record else _tr("调用场景 {n}")).format(
                n=_preset(cfg, a[0])
            )
        if action == "preset_store":
            return (_zh("保存场景 {n}") if record else _tr("保存场景 {n}")).format(
                n=_preset(cfg, a[0])
            )
        if action == "status":
            return _zh("读取路由状态") if record else _tr("读取路由状态")
        if action == "identify":
            return _zh("识别设备") if record else _tr("识别设备")
        if action == "test":
            return _zh("连接测试") if record else _tr("连接测试")
        if action == "move":
            speed = a[1] if len(a) > 1 else 50
            word = DIRECTION_WORDS.get(str(a[0]), str(a[0]))
            return (
                _zh("云台向{direction}转动，速度 {speed}")
                if record
                else _tr("云台向{direction}转动，速度 {speed}")
            ).format(direction=word, speed=speed)
        if action == "stop":
            return _zh("云台停止") if record else _tr("云台停止")
        if action == "zoom":
            word = (
                (_zh("拉近") if record else _tr("拉近"))
                if str(a[0]) in ("in", "tele")
                else (_zh("拉远") if record else _tr("拉远"))
            )
            return (_zh("镜头{direction}") if record else _tr("镜头{direction}")).format(
                direction=word
            )
        if action == "zoom_stop":
            return _zh("停止变焦") if record else _tr("停止变焦")
        if action == "preset_go":
            return (_zh("转到预置位 {n}") if record else _tr("转到预置位 {n}")).format(
                n=_preset(cfg, a[0])
            )
        if action == "preset_set":
            return (_zh("设置预置位 {n}") if record else _tr("设置预置位 {n}")).format(
                n=_preset(cfg, a[0])
            )
        if action == "preset_clear":
            return (_zh("清除预置位 {n}") if record else _tr("清除预置位 {n}")).format(
                n=_preset(cfg, a[0])
            )
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

    def __init__(
        self,
        db: Database,
        notify: Callable[[str], None] | None = None,
        key: CredentialKey | None = None,
    ) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)
        # The device-credentials key (its file: DUTY_CONSOLE_DEVICE_KEY or the config folder).
        self.key = key or CredentialKey()

    # -- reading --------------------------------------------------------------------------------

    def list(self) -> list[DeviceConfig]:
        """Every configured device, by name."""
        with self._db.read() as s:
            rows = s.scalars(select(m.DeviceRow).order_by(m.DeviceRow.name))
            return [_row_to_config(r, self.key) for r in rows]

    def get(self, name: str) -> DeviceConfig:
        """One device by name.

        Raises:
            NotFoundError: no device has that name.
        """
        with self._db.read() as s:
            return _row_to_config(self._row(s, name), self.key)

    def find(self, name: str) -> DeviceConfig | None:
        """One device by name, or None."""
        with self._db.read() as s:
            row = self._find(s, name)
            return _row_to_config(row, self.key) if row is not None else None

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
            before = _snapshot(row)
            s.delete(row)
            audit.append(s, actor, "device.remove", "device", row.id, before, None)
        self._notify(TOPIC)

    def set_enabled(self, actor: str, name: str, enabled: bool) -> DeviceConfig:
        """Switch a device on or off (a disabled device is configured but never opened)."""
        with self._db.transaction() as s:
            row = self._row(s, name)
            if row.enabled == enabled:
                return _row_to_config(row, self.key)
            before = _snapshot(row)
            row.enabled = enabled
            self._seal_legacy(row)  # a save seals a legacy plain secret
            row.updated_at = utcnow()
            s.flush()
            action = "device.enable" if enabled else "device.disable"
            audit.append(s, actor, action, "device", row.id, before, _snapshot(row))
            cfg = _row_to_config(row, self.key)
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

    def export_toml(self, *, secrets: bool = False) -> str:
        """Every device as TOML, in the form ``import_toml`` reads.

        PBX secrets are written (in plain text) only when the administrator asks: ``secrets``.
        """
        return to_toml(self.list(), secrets=secrets)

    def export_with_secrets(self, actor: str) -> str:
        """Every device as TOML with the PBX secrets in plain text (the administrator's; audited).

        For moving the devices to an installation that has another device-credentials key:
        the file must then be kept like a password. The audit record names the devices whose
        secret was written, never the secrets.

        Raises:
            PermissionDeniedError: the actor is not the administrator (audited).
        """
        with self._db.transaction() as s:
            rows = (
                s.execute(select(m.DeviceRow.name, m.DeviceRow.kind).order_by(m.DeviceRow.name))
                .tuples()
                .all()
            )
            named = [name for name, kind in rows if kind == DeviceKind.PBX.value]
            audit.append(
                s,
                actor,
                EXPORT_SECRETS_ACTION,
                "device",
                "*",
                None,
                {"secrets_of": named[:MAX_SUMMARY_ITEMS], "devices": len(rows)},
            )
        return to_toml(self.list(), secrets=True)

    def seal_legacy_secrets(self) -> builtins.list[str]:
        """Seal every secret still stored in plain text (from before sealing); their names.

        The program's own upkeep (a start-up pass), so done by ``system``; each device is
        audited as ``device.update`` with the secret shown as unchanged.
        """
        actor = SYSTEM_ACTOR
        sealed: builtins.list[str] = []
        with self._db.transaction() as s:
            for row in s.scalars(select(m.DeviceRow).order_by(m.DeviceRow.name)):
                before = _snapshot(row)
                if not self._seal_legacy(row):
                    continue
                row.updated_at = utcnow()
                s.flush()
                audit.append(s, actor, "device.update", "device", row.id, before, _snapshot(row))
                sealed.append(row.name)
        if sealed:
            log.info("sealed the legacy plain secrets of %s", ", ".join(sealed))
            self._notify(TOPIC)
        return sealed

    # -- commands -------------------------------------------------------------------------------

    def record_command(self, result: CommandResult) -> None:
        """Audit one device command; put it on its incident's timeline when it has one.

        The device manager's recorder: called in the device's worker thread.
        """
        with self._db.transaction() as s:
            row = self._find(s, result.device)
            cfg = _row_to_config(row, self.key) if row is not None else None
            secret = cfg.secret if cfg is not None else ""
            what = _scrub(describe_command(cfg, result.action, result.args, record=True), secret)
            after = {
                "device": result.device,
                "command_id": result.id,
                "args": _scrub(json_safe(list(result.args)), secret),
                "ok": result.ok,
                "reason": _scrub(result.reason, secret),
                "value": _scrub(json_safe(result.value), secret),
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
                        text = _zh("{device}：{what} 成功").format(device=result.device, what=what)
                    else:
                        text = _zh("{device}：{what} 失败：{reason}").format(
                            device=result.device, what=what, reason=after["reason"]
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
                                "reason": after["reason"],
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
        secret, _changed = _sealed_secret(None, cfg, self.key)
        now = utcnow()
        row = m.DeviceRow(**_columns(cfg, secret), created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        audit.append(s, actor, "device.add", "device", row.id, None, _snapshot(row, SECRET_CHANGED))
        return row

    def _update(self, s: Session, actor: str, row: m.DeviceRow, cfg: DeviceConfig) -> bool:
        """Apply ``cfg``; False (and no audit record) when nothing changed."""
        if cfg.name != row.name:
            self._name_taken(s, cfg.name)
        secret, changed = _sealed_secret(row, cfg, self.key)
        columns = _columns(cfg, secret)
        if all(getattr(row, k) == v for k, v in columns.items()):
            return False
        before = _snapshot(row)
        for key, value in columns.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.flush()
        after = _snapshot(row, SECRET_CHANGED if changed else SECRET_MASK)
        audit.append(s, actor, "device.update", "device", row.id, before, after)
        return True

    def _seal_legacy(self, row: m.DeviceRow) -> bool:
        """Seal the row's secret if it is still stored in plain text; whether it was."""
        stored = _stored_secret(row)
        if not stored or crypto.is_sealed_text(stored):
            return False
        try:
            sealed = self.key.seal(stored)
        except CredentialError as exc:
            log.error("device %s: legacy secret not sealed: %s", row.name, exc)
            return False
        row.settings = {**(row.settings or {}), "secret": sealed}
        return True

    def _upsert(self, s: Session, actor: str, cfg: DeviceConfig) -> str:
        row = self._find(s, cfg.name)
        if row is None:
            self._add(s, actor, cfg)
            return "added"
        return "updated" if self._update(s, actor, row, cfg) else "unchanged"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
