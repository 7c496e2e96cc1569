"""The status bar: clock, shift on duty, reporting alarms, devices, audit health, database."""

from __future__ import annotations

import logging
from time import monotonic
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QStatusBar, QToolButton, QWidget
from shiboken6 import isValid

from console.app import AppContext
from console.devices import DeviceManager
from console.domain import DomainError, DueReport, DueState, Incident, Shift
from console.services.audit import ChainCheck, ChainCheckpoint
from console.services.deadlines import stage_label, state_label
from console.timeutil import format_beijing, utcnow
from widgets.devices.health import DeviceHealthIndicator
from widgets.elide import ElidedLabel

log = logging.getLogger(__name__)

_BUTTON = (
    "QToolButton {{ {colours} padding: 1px 8px; }} QToolButton::menu-indicator {{ image: none; }}"
)
OVERDUE_STYLE = _BUTTON.format(colours="background: #d32f2f; color: white; font-weight: bold;")
SOON_STYLE = _BUTTON.format(colours="background: #ffb300; color: black; font-weight: bold;")
QUIET_STYLE = _BUTTON.format(colours="")
AUDIT_OK_STYLE = "QLabel { color: #2e7d32; padding: 0 4px; }"
AUDIT_BROKEN_STYLE = (
    "QLabel { background: #d32f2f; color: white; font-weight: bold; padding: 0 6px; }"
)
AUDIT_CHECK_MS = 3_600_000  # the records added since are verified every hour (low-priority read)
AUDIT_FULL_EVERY_S = 24 * 3600  # and the whole chain is walked at start-up and once a day
AUDIT_FIRST_CHECK_MS = 5_000


def _titles(ctx: AppContext, ids: list[int]) -> dict[int, str]:
    """Titles of the incidents behind alarms (worker thread)."""
    out: dict[int, str] = {}
    for i in ids:
        try:
            inc: Incident = ctx.services.incidents.get(i)
        except DomainError:  # a deleted incident just keeps its number
            continue
        out[i] = inc.title
    return out


class DutyStatusBar(QStatusBar):
    """Always-visible facts of the duty room at the bottom of the main window."""

    incident_requested = Signal(int)  # the operator picked an alarm's incident

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        devices: DeviceManager | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dutyStatusBar")
        self._ctx = ctx
        self._alarms: list[DueReport] = []
        self._titles: dict[int, str] = {}
        self.device_indicator: DeviceHealthIndicator | None = None

        # The clock and the database give way first (elided, whole in their tooltips) where the
        # bar is short of room; the reporting alarm keeps its whole text.
        self.clock_label = ElidedLabel("", self, min_chars=5)
        self.clock_label.setObjectName("clockLabel")
        self.shift_label = QLabel(self.tr("当前班次：—"), self)
        self.shift_label.setObjectName("shiftLabel")
        self.alarm_button = QToolButton(self)
        self.alarm_button.setObjectName("alarmButton")
        self.alarm_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.alarm_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Never narrower than its text: "报送提醒：已超时 3 · 即将到期 1" is read in full.
        self.alarm_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.alarm_menu = QMenu(self.alarm_button)
        self.alarm_button.setMenu(self.alarm_menu)
        self.device_label = QLabel(self.tr("设备：未配置设备"), self)
        self.device_label.setObjectName("deviceLabel")
        self.device_label.setToolTip(self.tr("设备状态（尚未配置任何设备）"))
        dialect = ctx.services.db.dialect
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(dialect, dialect)
        self.db_label = ElidedLabel(self.tr("数据库：{name}").format(name=name), self)
        self.db_label.setObjectName("databaseLabel")
        self.db_label.setToolTip(ctx.services.db.url)

        self.audit_label = QLabel(self.tr("审计：检查中…"), self)
        self.audit_label.setObjectName("auditLabel")
        self.audit_label.setToolTip(self.audit_schedule_text())
        self._audit_checkpoint: ChainCheckpoint | None = None  # where the chain was last intact
        self._audit_full_at: float | None = None  # monotonic time of the last full walk
        self._audit_generation = 0  # only the newest check's outcome is shown

        for widget in (
            self.shift_label,
            self.alarm_button,
            self.device_label,
            self.audit_label,
            self.db_label,
        ):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.clock_label)
        if devices is not None:
            self.set_device_manager(devices)

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._clock.start()
        self._on_clock_timeout()

        self._shift_timer = QTimer(self)
        self._shift_timer.setInterval(60_000)
        self._shift_timer.timeout.connect(self.refresh_shift)
        self._shift_timer.start()
        self.refresh_shift()

        self._audit_timer = QTimer(self)
        self._audit_timer.setInterval(AUDIT_CHECK_MS)
        self._audit_timer.timeout.connect(self._on_audit_timer_timeout)
        self._audit_timer.start()
        QTimer.singleShot(AUDIT_FIRST_CHECK_MS, self, self.check_audit)

        ctx.monitor.alarms_changed.connect(self._on_monitor_alarms_changed)
        ctx.bus.changed.connect(self._on_bus_changed)
        self._show_alarms(ctx.monitor.alarms)

    def set_device_manager(self, devices: DeviceManager) -> DeviceHealthIndicator:
        """Show a health dot per device instead of the "no devices" placeholder."""
        if self.device_indicator is None:
            self.device_indicator = DeviceHealthIndicator(devices, self)
            # Where the placeholder stands: after the shift and the alarm button.
            self.insertPermanentWidget(2, self.device_indicator)
            self.removeWidget(self.device_label)
            self.device_label.hide()
        return self.device_indicator

    # -- audit health --------------------------------------------------------------------------

    def audit_schedule_text(self) -> str:
        """How often the audit chain is checked (the label's tooltip before the first check)."""
        return self.tr(
            "审计链（防篡改）的完整性：启动时及每 24 小时完整检查一遍，其间每小时检查新增记录"
            "与记录总数；旧记录被改动最迟一天内发现"
        )

    @Slot()
    def check_audit(self, *, full: bool = True) -> None:
        """Check the audit chain in a low-priority read and show whether it is intact.

        ``full`` walks the whole chain; otherwise only the records added since the last check
        that found it intact are read (with the cheap whole-chain count and head check of
        :meth:`AuditService.verify_since`) — a full walk when there was none yet.
        """
        checkpoint = None if full else self._audit_checkpoint
        self._audit_generation += 1
        generation = self._audit_generation

        def checked(check: ChainCheck) -> None:
            self._on_audit_checked(check, generation)

        self._ctx.runner.read_low(
            self._ctx.services.audit.verify_since,
            checkpoint,  # None: the whole chain
            on_result=checked,
            on_error=self._on_audit_failed,
        )

    @Slot()
    def _on_audit_timer_timeout(self) -> None:
        due = self._audit_full_at is None or (
            monotonic() - self._audit_full_at >= AUDIT_FULL_EVERY_S
        )
        self.check_audit(full=due or self._audit_checkpoint is None)

    def _on_audit_checked(self, check: ChainCheck, generation: int) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        if generation != self._audit_generation:
            return  # a newer check was asked for meanwhile: its outcome counts
        self._audit_checkpoint = check.checkpoint
        if check.full:
            self._audit_full_at = monotonic()
        when = format_beijing(utcnow())
        if check.ok:
            self.audit_label.setText(self.tr("审计 ✓"))
            self.audit_label.setStyleSheet(AUDIT_OK_STYLE)
            if check.full:
                text = self.tr("审计链完整：{n} 条记录（检查于 {when}）").format(
                    n=check.records, when=when
                )
            else:
                text = self.tr(
                    "审计链完整：{n} 条记录，本次检查新增 {new} 条及记录总数（检查于 {when}）"
                ).format(n=check.records, new=check.checked, when=when)
            self.audit_label.setToolTip(text + "\n" + self.audit_schedule_text())
        else:
            self.audit_label.setText(self.tr("审计链断开"))
            self.audit_label.setStyleSheet(AUDIT_BROKEN_STYLE)
            self.audit_label.setToolTip(
                self.tr(
                    "{message}（检查于 {when}；请通知审计员，运行 duty-console audit verify）"
                ).format(message=check.message, when=when)
            )
            if not check.full:
                self.check_audit(full=True)  # a full walk names the record

    def _on_audit_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        log.warning("could not check the audit chain: %s", exc)
        self.audit_label.setText(self.tr("审计：检查失败"))
        self.audit_label.setStyleSheet("")
        self.audit_label.setToolTip(str(exc))

    # -- clock and shift -----------------------------------------------------------------------

    @Slot()
    def _on_clock_timeout(self) -> None:
        now = format_beijing(utcnow(), seconds=True)
        self.clock_label.setText(self.tr("北京时间 {now}").format(now=now))

    def refresh_shift(self) -> None:
        """Read the shift on duty in a worker and show it."""
        self._ctx.runner.read(
            self._ctx.services.people.shift_at,
            on_result=self._on_shift_loaded,
            on_error=self._on_shift_failed,
        )

    def _on_shift_loaded(self, shift: Shift | None) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        if shift is None:
            self.shift_label.setText(self.tr("当前班次：未排班"))
            self.shift_label.setToolTip("")
            return
        separator = self.tr("、")  # between names: ", " in English
        officers = separator.join(m.display_name for m in shift.officers) or "—"
        leaders = separator.join(m.display_name for m in shift.leaders) or "—"
        self.shift_label.setText(
            self.tr("值班员：{officers}　带班领导：{leaders}").format(
                officers=officers, leaders=leaders
            )
        )
        self.shift_label.setToolTip(
            self.tr("班次 {start} — {end}").format(
                start=format_beijing(shift.starts_at), end=format_beijing(shift.ends_at)
            )
        )

    def _on_shift_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        log.warning("could not read the shift: %s", exc)
        self.shift_label.setText(self.tr("当前班次：读取失败"))

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "roster":
            self.refresh_shift()

    # -- alarms --------------------------------------------------------------------------------

    @property
    def alarms(self) -> list[DueReport]:
        """The alarms shown now."""
        return list(self._alarms)

    @Slot(list)
    def _on_monitor_alarms_changed(self, alarms: list[DueReport]) -> None:
        self._show_alarms(alarms)
        ids = sorted({a.incident_id for a in alarms})
        if ids:
            self._ctx.runner.read(_titles, self._ctx, ids, on_result=self._on_titles_loaded)

    def _on_titles_loaded(self, titles: Any) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        self._titles.update(titles)
        self._show_alarms(self._alarms)

    def _show_alarms(self, alarms: list[DueReport]) -> None:
        self._alarms = list(alarms)
        overdue = sum(1 for a in alarms if a.state is DueState.OVERDUE)
        soon = sum(1 for a in alarms if a.state is DueState.SOON)
        if overdue:
            self.alarm_button.setStyleSheet(OVERDUE_STYLE)
        elif soon:
            self.alarm_button.setStyleSheet(SOON_STYLE)
        else:
            self.alarm_button.setStyleSheet(QUIET_STYLE)
        if alarms:
            self.alarm_button.setText(
                self.tr("报送提醒：已超时 {overdue} · 即将到期 {soon}").format(
                    overdue=overdue, soon=soon
                )
            )
        else:
            self.alarm_button.setText(self.tr("报送提醒：无"))
        self.alarm_button.setEnabled(bool(alarms))
        self.alarm_menu.clear()
        for alarm in sorted(alarms, key=lambda a: a.due_at):
            title = self._titles.get(alarm.incident_id, "")
            text = self.tr("#{id} {title} — {stage} {state}，时限 {due}").format(
                id=alarm.incident_id,
                title=title,
                stage=stage_label(alarm.stage, alarm.seq),
                state=state_label(alarm.state),
                due=format_beijing(alarm.due_at),
            )
            action = QAction(text, self.alarm_menu)
            action.setData(alarm.incident_id)
            action.triggered.connect(self._on_alarm_action_triggered)
            self.alarm_menu.addAction(action)

    @Slot()
    def _on_alarm_action_triggered(self) -> None:
        sender: QObject | None = self.sender()
        if isinstance(sender, QAction):
            self.incident_requested.emit(int(sender.data()))
