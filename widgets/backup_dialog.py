"""系统 → 自动备份…: the administrator's settings for the workstation's daily backup."""

from __future__ import annotations

from PySide6.QtCore import QTime, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.backup import default_key_file
from console.backup_schedule import (
    BackupPolicy,
    BackupScheduler,
    last_result,
    load_policy,
    save_policy,
)
from widgets.forms import run_guarded


class BackupDialog(QDialog):
    """Folder, time of day and retention of the scheduled backup; back up now."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle(self.tr("自动备份"))
        self._ctx = ctx
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("backupFolderEdit")
        self.folder_edit.setPlaceholderText(self.tr("留空则不自动备份；不要与密钥放在一起"))
        self.folder_edit.setToolTip(self.folder_edit.placeholderText())  # elided in English
        browse = QPushButton(self.tr("选择…"), self)
        browse.clicked.connect(self._on_browse_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        self.time_edit = QTimeEdit(self)
        self.time_edit.setObjectName("backupTimeEdit")
        self.time_edit.setDisplayFormat("HH:mm")
        self.keep_spin = QSpinBox(self)
        self.keep_spin.setObjectName("backupKeepSpin")
        self.keep_spin.setRange(1, 365)
        self.keep_spin.setSuffix(self.tr(" 份"))
        self.last_label = QLabel(self)
        self.last_label.setObjectName("backupLastLabel")
        self.last_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("backupMessageLabel")
        self.message_label.setWordWrap(True)
        key_label = QLabel(
            self.tr("密钥文件：{path}（请另行妥善保存一份）").format(path=default_key_file()), self
        )
        key_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("备份目录"), folder_row)
        form.addRow(self.tr("每天（北京时间）"), self.time_edit)
        form.addRow(self.tr("保留"), self.keep_spin)
        form.addRow(self.tr("上次备份"), self.last_label)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(
            self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.now_button = buttons.addButton(
            self.tr("立即备份"), QDialogButtonBox.ButtonRole.ActionRole
        )
        buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.now_button.clicked.connect(self._on_now_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(key_label)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())
        ctx.runner.read(self._read, on_result=self._on_loaded)

    def _read(self) -> tuple[BackupPolicy, dict[str, object]]:
        return load_policy(self._ctx.services), last_result(self._ctx.services)

    def _on_loaded(self, loaded: tuple[BackupPolicy, dict[str, object]]) -> None:
        if not isValid(self):
            return
        policy, last = loaded
        self.folder_edit.setText(policy.folder)
        self.time_edit.setTime(QTime.fromString(policy.at, "HH:mm"))
        self.keep_spin.setValue(policy.keep)
        self._show_last(last)

    def _show_last(self, last: dict[str, object]) -> None:
        if not last:
            self.last_label.setText(self.tr("尚无"))
        elif last.get("ok"):
            self.last_label.setText(
                self.tr("{date} 成功：{path}").format(date=last.get("date"), path=last.get("path"))
            )
        else:
            self.last_label.setText(
                self.tr("{date} 失败：{message}").format(
                    date=last.get("date"), message=last.get("message")
                )
            )

    @property
    def scheduler(self) -> BackupScheduler | None:
        """The workstation's scheduler (none in a test window or on the hall display)."""
        found = self._ctx.extra.get("backup_scheduler")
        return found if isinstance(found, BackupScheduler) else None

    def policy(self) -> BackupPolicy:
        """The policy as the dialog shows it."""
        return BackupPolicy(
            self.folder_edit.text().strip(),
            self.time_edit.time().toString("HH:mm"),
            self.keep_spin.value(),
        )

    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("备份目录"), self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.message_label.setText(self.tr("正在保存…"))
        run_guarded(
            self,
            self._ctx.runner,
            True,
            save_policy,
            self._ctx.services,
            self._ctx.actor,
            self.policy(),
            on_result=self._on_saved,
            on_error=self._on_failed,
            before=lambda: None,
            after=lambda: None,
        )

    def _on_saved(self, _policy: object) -> None:
        self.message_label.setText(self.tr("已保存。"))

    def _on_failed(self, exc: BaseException) -> None:
        self.message_label.setText(self.tr("未保存：{reason}").format(reason=exc))

    @Slot()
    def _on_now_button_clicked(self) -> None:
        scheduler = self.scheduler
        if scheduler is None or not scheduler.run_now():
            self.message_label.setText(self.tr("现在不能备份（没有调度器或正在备份）。"))
            return
        self.message_label.setText(self.tr("正在备份，完成后在此显示。"))
        scheduler.done.connect(self._on_backup_finished)
        scheduler.failed.connect(self._on_backup_finished)

    def _on_backup_finished(self, _outcome: object) -> None:
        if not isValid(self):
            return
        self.message_label.setText(self.tr("备份已结束。"))
        self._ctx.runner.read(self._read, on_result=self._on_loaded)
