"""The administrator's device settings (设备设置): add, edit, remove, enable, import, test.

Every configured device is listed with its live health; the editor sub-dialog has a field for
every :class:`DeviceConfig` setting and shows each problem next to its field, from
:meth:`DeviceConfig.problems` before saving and from the service's ``ValidationError`` after.
Every service call runs through ``ctx.runner``; a change is announced on the bus as the
``devices`` topic, on which the device manager reconfigures itself and this list reloads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.app import AppContext
from console.devices import CommandResult, DeviceConfig, DeviceHealth, DeviceKind, HealthState
from console.devices.config import PROTOCOLS
from console.domain import ValidationError
from console.services.devices import DeviceService, ImportReport
from widgets.device_text import device_text
from widgets.devices.health import GREY, dot_icon, kind_label, state_colour, state_label
from widgets.forms import (
    ERROR_COLOUR,
    OK_COLOUR,
    FieldErrors,
    TwoStepButton,
    error_text,
    with_error,
)

log = logging.getLogger(__name__)

BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
URL_HINT = "/dev/ttyUSB0、socket://10.1.2.3:23、rfc2217://…"
PROTOCOL_LABELS = {
    "extron-sis": "Extron SIS",
    "dot": "点命令 (dot)",
    "kramer-p3000": "Kramer Protocol 3000",
    "kramer-p3000-route": "Kramer Protocol 3000 (#ROUTE)",
    "kramer-p2000": "Kramer Protocol 2000",
    "pelco-d": "Pelco-D",
    "pelco-p": "Pelco-P",
    "visca": "Sony VISCA",
}
MATRIX_ONLY = ("inputs", "outputs", "input_names", "output_names")
BUSY_COLOUR = "#8a5a00"
_NAME = Qt.ItemDataRole.UserRole


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeviceSettings", text)


def protocol_label(protocol: str) -> str:
    """A protocol as the administrator reads it, with the id the TOML file and CLI use."""
    label = PROTOCOL_LABELS.get(protocol)
    return f"{label}  [{protocol}]" if label else protocol


def serial_summary(cfg: DeviceConfig) -> str:
    """Line settings in the usual short form, e.g. ``9600 8N1 RS-485``."""
    stop = f"{cfg.stopbits:g}"
    text = f"{cfg.baud} {cfg.bytesize}{cfg.parity}{stop}"
    return f"{text} RS-485" if cfg.rs485 else text


def format_names(names: Mapping[int, str]) -> str:
    """Names as the editor shows them: one ``n=名称`` line each, by number."""
    return "\n".join(f"{n}={name}" for n, name in sorted(names.items()))


def parse_names(text: str) -> tuple[dict[int, str], str]:
    """``n=名称`` lines → (number → name, problem); blank lines are skipped."""
    names: dict[int, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, value = line.replace("＝", "=").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.isdigit() or not value:
            return {}, _tr("第 {line} 行应为“编号=名称”，如 1=大屏左：{text}").format(
                line=number, text=line
            )
        n = int(key)
        if not 1 <= n <= 512:
            return {}, _tr("第 {line} 行：编号应在 1–512：{n}").format(line=number, n=n)
        if n in names:
            return {}, _tr("第 {line} 行：编号 {n} 重复").format(line=number, n=n)
        names[n] = value
    return names, ""


def describe_report(report: ImportReport, file_name: str) -> str:
    """What an import did, one line per refused table with its position and reason."""
    lines = [
        _tr("导入 {file}：新增 {added}，更新 {updated}，未变 {unchanged}，未导入 {bad}。").format(
            file=file_name,
            added=len(report.added),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
            bad=len(report.problems),
        )
    ]
    for label, names in (
        (_tr("新增"), report.added),
        (_tr("更新"), report.updated),
        (_tr("未变"), report.unchanged),
    ):
        if names:
            listed = _tr("、").join(names)  # ", " in English
            lines.append(_tr("{label}：{names}").format(label=label, names=listed))
    for problem in report.problems:
        lines.append(
            _tr("第 {index} 个 [[device]]（{name}）未导入：{reason}").format(
                index=problem.index, name=problem.name or "—", reason=problem.reason
            )
        )
    return "\n".join(lines)


def _import_file(service: DeviceService, actor: str, path: str) -> ImportReport:
    """Read a TOML file and import it (worker thread)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError({"file": _tr("无法读取文件：{error}").format(error=exc)}) from exc
    return service.import_toml(actor, text)


def _export_file(service: DeviceService, path: str) -> int:
    """Write every device to a TOML file; how many (worker thread)."""
    configs = service.list()
    try:
        Path(path).write_text(service.export_toml(), encoding="utf-8")
    except OSError as exc:
        raise ValidationError({"file": _tr("无法写入文件：{error}").format(error=exc)}) from exc
    return len(configs)


# --------------------------------------------------------------------------- the editor


class DeviceEditorDialog(QDialog):
    """Every setting of one device; saves only a valid configuration, keeps input on failure."""

    saved = Signal(object)  # DeviceConfig as stored

    def __init__(
        self, ctx: AppContext, original: DeviceConfig | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("deviceEditorDialog")
        self._ctx = ctx
        self.original = original
        self.busy = False
        self.errors = FieldErrors()
        if original is None:
            self.setWindowTitle(self.tr("添加设备"))
        else:
            self.setWindowTitle(self.tr("编辑设备 {name}").format(name=original.name))
        self._build()
        self.load(original)
        self.resize(max(self.sizeHint().width(), 900), self.sizeHint().height())

    # -- construction ---------------------------------------------------------------------------

    def _row(self, form: QFormLayout, key: str, text: str, field: QWidget) -> QWidget:
        box, err = with_error(field, self)
        label = QLabel(text, self)
        label.setBuddy(field)
        form.addRow(label, box)
        self.errors.add(key, field, err)
        return label

    def _build(self) -> None:
        # -- basics
        basics = QGroupBox(self.tr("设备"), self)
        form = QFormLayout(basics)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("deviceName")
        self.name_edit.setPlaceholderText(self.tr("如 hall-matrix 或 大厅摄像机1"))
        self._row(form, "name", self.tr("名称"), self.name_edit)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("deviceKind")
        for kind in DeviceKind:
            word = kind_label(kind)
            # The code as written in a TOML file, unless the word says it already (English).
            shown = word if word.casefold() == kind.value else f"{word} ({kind.value})"
            self.kind_combo.addItem(shown, kind.value)
        self._row(form, "kind", self.tr("类型"), self.kind_combo)
        self.protocol_combo = QComboBox(self)
        self.protocol_combo.setObjectName("deviceProtocol")
        self._row(form, "protocol", self.tr("协议"), self.protocol_combo)
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("deviceUrl")
        self.url_edit.setPlaceholderText(URL_HINT)
        self.url_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance(URL_HINT) + 24)
        url_col = QWidget(self)
        url_layout = QVBoxLayout(url_col)
        url_layout.setContentsMargins(0, 0, 0, 0)
        url_layout.setSpacing(1)
        url_layout.addWidget(self.url_edit)
        hint = QLabel(
            self.tr("串口路径或网络地址，例如 {examples}").format(examples=URL_HINT), self
        )
        hint.setObjectName("deviceUrlHint")
        hint.setStyleSheet("color: #616161; font-size: small;")
        url_layout.addWidget(hint)
        box, err = with_error(url_col, self)
        label = QLabel(self.tr("地址"), self)
        label.setBuddy(self.url_edit)
        form.addRow(label, box)
        self.errors.add("url", self.url_edit, err)
        self.enabled_check = QCheckBox(self.tr("启用（保存后自动连接）"), self)
        self.enabled_check.setObjectName("deviceEnabled")
        self._row(form, "enabled", "", self.enabled_check)

        # -- the line
        line = QGroupBox(self.tr("串口参数"), self)
        form = QFormLayout(line)
        self.baud_combo = QComboBox(self)
        self.baud_combo.setObjectName("deviceBaud")
        self.baud_combo.setEditable(True)
        self.baud_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for rate in BAUD_RATES:
            self.baud_combo.addItem(str(rate))
        self._row(form, "baud", self.tr("波特率"), self.baud_combo)
        self.bytesize_combo = QComboBox(self)
        self.bytesize_combo.setObjectName("deviceBytesize")
        for bits in (8, 7, 6, 5):
            self.bytesize_combo.addItem(str(bits), bits)
        self._row(form, "bytesize", self.tr("数据位"), self.bytesize_combo)
        self.parity_combo = QComboBox(self)
        self.parity_combo.setObjectName("deviceParity")
        for code, text in (
            ("N", self.tr("无 (N)")),
            ("E", self.tr("偶校验 (E)")),
            ("O", self.tr("奇校验 (O)")),
            ("M", self.tr("标记 (M)")),
            ("S", self.tr("空格 (S)")),
        ):
            self.parity_combo.addItem(text, code)
        self._row(form, "parity", self.tr("校验位"), self.parity_combo)
        self.stopbits_combo = QComboBox(self)
        self.stopbits_combo.setObjectName("deviceStopbits")
        for stop in (1.0, 1.5, 2.0):
            self.stopbits_combo.addItem(f"{stop:g}", stop)
        self._row(form, "stopbits", self.tr("停止位"), self.stopbits_combo)
        self.rs485_check = QCheckBox(self.tr("RS-485 半双工"), self)
        self.rs485_check.setObjectName("deviceRs485")
        self._row(form, "rs485", "", self.rs485_check)
        self.timeout_spin = QDoubleSpinBox(self)
        self.timeout_spin.setObjectName("deviceTimeout")
        self.timeout_spin.setRange(0.05, 30.0)
        self.timeout_spin.setDecimals(2)
        self.timeout_spin.setSingleStep(0.1)
        self.timeout_spin.setSuffix(self.tr(" 秒"))
        self._row(form, "timeout", self.tr("应答超时"), self.timeout_spin)
        self.address_spin = QSpinBox(self)
        self.address_spin.setObjectName("deviceAddress")
        self.address_spin.setRange(0, 255)
        self.address_spin.setToolTip(self.tr("云台摄像机地址；Kramer 2000 为机器号"))
        self._row(form, "address", self.tr("设备地址"), self.address_spin)

        # -- ports and names
        ports = QGroupBox(self.tr("端口与名称"), self)
        form = QFormLayout(ports)
        self.inputs_spin = QSpinBox(self)
        self.inputs_spin.setObjectName("deviceInputs")
        self.inputs_spin.setRange(0, 512)
        self.inputs_spin.setSpecialValueText(self.tr("自动（读取设备）"))
        self._row(form, "inputs", self.tr("输入数"), self.inputs_spin)
        self.outputs_spin = QSpinBox(self)
        self.outputs_spin.setObjectName("deviceOutputs")
        self.outputs_spin.setRange(0, 512)
        self.outputs_spin.setSpecialValueText(self.tr("自动（读取设备）"))
        self._row(form, "outputs", self.tr("输出数"), self.outputs_spin)
        self.input_names_edit = self._names_edit("deviceInputNames", "1=主席台摄像机\n2=会商终端")
        self._row(form, "input_names", self.tr("输入名称"), self.input_names_edit)
        self.output_names_edit = self._names_edit("deviceOutputNames", "1=大屏左\n2=大屏中")
        self._row(form, "output_names", self.tr("输出名称"), self.output_names_edit)
        self.preset_names_edit = self._names_edit("devicePresetNames", "1=日常值守\n2=应急会商")
        self._row(form, "preset_names", self.tr("预置位/场景名称"), self.preset_names_edit)

        # -- a camera (kind camera): sub-stream, PTZ device, matrix input, location
        self.camera_group = QGroupBox(self.tr("视频"), self)
        form = QFormLayout(self.camera_group)
        self.sub_url_edit = QLineEdit(self)
        self.sub_url_edit.setObjectName("cameraSubUrl")
        self.sub_url_edit.setPlaceholderText("rtsp://HOST:554/Streaming/Channels/102")
        self._row(form, "sub_url", self.tr("子码流地址"), self.sub_url_edit)
        self.ptz_edit = QLineEdit(self)
        self.ptz_edit.setObjectName("cameraPtz")
        self.ptz_edit.setPlaceholderText(self.tr("控制此摄像机的云台设备名称（可空）"))
        self._row(form, "ptz", self.tr("云台设备"), self.ptz_edit)
        self.matrix_edit = QLineEdit(self)
        self.matrix_edit.setObjectName("cameraMatrix")
        self.matrix_edit.setPlaceholderText(self.tr("接入的显示矩阵（空：唯一的矩阵）"))
        self._row(form, "matrix", self.tr("显示矩阵"), self.matrix_edit)
        self.matrix_input_spin = QSpinBox(self)
        self.matrix_input_spin.setObjectName("cameraMatrixInput")
        self.matrix_input_spin.setRange(0, 512)
        self.matrix_input_spin.setSpecialValueText(self.tr("未接入"))
        self._row(form, "matrix_input", self.tr("矩阵输入"), self.matrix_input_spin)
        self.lon_edit = QLineEdit(self)
        self.lon_edit.setObjectName("cameraLon")
        self.lon_edit.setPlaceholderText("125.3245")
        self._row(form, "lon", self.tr("经度"), self.lon_edit)
        self.lat_edit = QLineEdit(self)
        self.lat_edit.setObjectName("cameraLat")
        self.lat_edit.setPlaceholderText("43.8868")
        self._row(form, "lat", self.tr("纬度"), self.lat_edit)

        # -- a PBX (kind pbx): the AMI login, the operator's extension, how numbers are dialled
        self.phone_group = QGroupBox(self.tr("交换机 (AMI)"), self)
        form = QFormLayout(self.phone_group)
        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("pbxUsername")
        self.username_edit.setPlaceholderText(self.tr("manager.conf 中的用户名"))
        self._row(form, "username", self.tr("AMI 用户名"), self.username_edit)
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setObjectName("pbxSecret")
        # Never shown, never filled in: empty keeps the stored secret (the service's rule).
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._row(form, "secret", self.tr("AMI 密码"), self.secret_edit)
        self.extension_edit = QLineEdit(self)
        self.extension_edit.setObjectName("pbxExtension")
        self.extension_edit.setPlaceholderText("8000")
        self._row(form, "extension", self.tr("值班分机"), self.extension_edit)
        self.context_edit = QLineEdit(self)
        self.context_edit.setObjectName("pbxContext")
        self._row(form, "context", self.tr("拨号上下文"), self.context_edit)
        self.dial_edit = QLineEdit(self)
        self.dial_edit.setObjectName("pbxDial")
        self.dial_edit.setPlaceholderText("PJSIP/{number}")
        self._row(form, "dial", self.tr("拨号通道"), self.dial_edit)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("deviceEditorMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("deviceSaveButton")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(
            self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole
        )
        # Not accepted/rejected directly: saving happens in a worker and may fail.
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(basics, 0, 0)
        grid.addWidget(line, 1, 0)
        grid.addWidget(ports, 0, 1, 2, 1)
        grid.addWidget(self.camera_group, 2, 0, 1, 2)
        grid.addWidget(self.phone_group, 3, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout = QVBoxLayout(self)
        # Grow with the messages that appear under fields instead of squeezing the fields.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(grid, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)

    def _names_edit(self, name: str, example: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setObjectName(name)
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(
            self.tr("每行一个“编号=名称”，如：\n{example}").format(example=example)
        )
        edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
        return edit

    # -- values ---------------------------------------------------------------------------------

    def load(self, cfg: DeviceConfig | None) -> None:
        """Fill every field from ``cfg`` (defaults for a new device)."""
        cfg = cfg or DeviceConfig("", DeviceKind.MATRIX, PROTOCOLS[DeviceKind.MATRIX][0], "")
        self.name_edit.setText(cfg.name)
        self.kind_combo.setCurrentIndex(
            max(0, self.kind_combo.findData(DeviceKind(cfg.kind).value))
        )
        self._fill_protocols(cfg.protocol)
        self.url_edit.setText(cfg.url)
        self.enabled_check.setChecked(cfg.enabled)
        self.baud_combo.setCurrentText(str(cfg.baud))
        self.bytesize_combo.setCurrentIndex(max(0, self.bytesize_combo.findData(cfg.bytesize)))
        self.parity_combo.setCurrentIndex(max(0, self.parity_combo.findData(cfg.parity)))
        self.stopbits_combo.setCurrentIndex(
            max(0, self.stopbits_combo.findData(float(cfg.stopbits)))
        )
        self.rs485_check.setChecked(cfg.rs485)
        self.timeout_spin.setValue(cfg.timeout)
        self.address_spin.setValue(cfg.address)
        self.inputs_spin.setValue(cfg.inputs or 0)
        self.outputs_spin.setValue(cfg.outputs or 0)
        self.input_names_edit.setPlainText(format_names(cfg.input_names))
        self.output_names_edit.setPlainText(format_names(cfg.output_names))
        self.preset_names_edit.setPlainText(format_names(cfg.preset_names))
        self.sub_url_edit.setText(cfg.sub_url)
        self.ptz_edit.setText(cfg.ptz)
        self.matrix_edit.setText(cfg.matrix)
        self.matrix_input_spin.setValue(cfg.matrix_input or 0)
        self.lon_edit.setText("" if cfg.lon is None else str(cfg.lon))
        self.lat_edit.setText("" if cfg.lat is None else str(cfg.lat))
        self.username_edit.setText(cfg.username)
        self.secret_edit.clear()
        stored = bool(cfg.secret or cfg.credential_error)
        self.secret_edit.setPlaceholderText(
            self.tr("不更改") if stored else self.tr("manager.conf 中的 secret")
        )
        self.secret_edit.setToolTip(
            self.tr("已保存的密码不显示；留空则保留原密码，输入新密码则替换。") if stored else ""
        )
        self.extension_edit.setText(cfg.extension)
        self.context_edit.setText(cfg.context)
        self.dial_edit.setText(cfg.dial)
        self._apply_kind()
        if cfg.credential_error:  # this seat cannot read the stored secret: say so at its field
            self.errors.show({"secret": cfg.credential_error})

    def kind(self) -> DeviceKind:
        """The kind chosen."""
        return DeviceKind(str(self.kind_combo.currentData()))

    def _fill_protocols(self, wanted: str | None = None) -> None:
        current = wanted if wanted is not None else str(self.protocol_combo.currentData() or "")
        self.protocol_combo.blockSignals(True)
        self.protocol_combo.clear()
        for protocol in PROTOCOLS[self.kind()]:
            self.protocol_combo.addItem(protocol_label(protocol), protocol)
        self.protocol_combo.setCurrentIndex(max(0, self.protocol_combo.findData(current)))
        self.protocol_combo.blockSignals(False)

    def _apply_kind(self) -> None:
        matrix = self.kind() is DeviceKind.MATRIX
        for widget in (
            self.inputs_spin,
            self.outputs_spin,
            self.input_names_edit,
            self.output_names_edit,
        ):
            widget.setEnabled(matrix)
        camera = self.kind() is DeviceKind.CAMERA
        self.camera_group.setVisible(camera)
        self.phone_group.setVisible(self.kind() is DeviceKind.PBX)
        line = self.baud_combo.parentWidget()  # the serial settings: none for a stream
        if line is not None:
            line.setVisible(not camera)

    def config(self) -> tuple[DeviceConfig, dict[str, str]]:
        """The configuration the fields describe, and field → problem (empty when valid)."""
        errors: dict[str, str] = {}
        baud_text = self.baud_combo.currentText().strip()
        baud = int(baud_text) if baud_text.isdigit() else 0
        if not baud_text.isdigit():
            errors["baud"] = _tr("波特率应为整数，如 9600：{text}").format(text=baud_text or "—")
        matrix = self.kind() is DeviceKind.MATRIX
        names: dict[str, dict[int, str]] = {}
        edits = {
            "input_names": self.input_names_edit,
            "output_names": self.output_names_edit,
            "preset_names": self.preset_names_edit,
        }
        for key, edit in edits.items():
            if key in MATRIX_ONLY and not matrix:
                names[key] = {}
                continue
            names[key], problem = parse_names(edit.toPlainText())
            if problem:
                errors[key] = problem
        cfg = DeviceConfig(
            name=self.name_edit.text().strip(),
            kind=self.kind(),
            protocol=str(self.protocol_combo.currentData() or ""),
            url=self.url_edit.text().strip(),
            baud=baud,
            bytesize=int(self.bytesize_combo.currentData()),
            parity=str(self.parity_combo.currentData()),
            stopbits=float(self.stopbits_combo.currentData()),
            rs485=self.rs485_check.isChecked(),
            timeout=round(self.timeout_spin.value(), 2),
            address=self.address_spin.value(),
            inputs=(self.inputs_spin.value() or None) if matrix else None,
            outputs=(self.outputs_spin.value() or None) if matrix else None,
            input_names=names["input_names"],
            output_names=names["output_names"],
            preset_names=names["preset_names"],
            enabled=self.enabled_check.isChecked(),
        )
        if self.kind() is DeviceKind.CAMERA:
            cfg = self._camera_config(cfg, errors)
        if self.kind() is DeviceKind.PBX:
            cfg = replace(
                cfg,
                username=self.username_edit.text().strip(),
                secret=self.secret_edit.text(),  # empty: the service keeps the stored one
                extension=self.extension_edit.text().strip(),
                context=self.context_edit.text().strip(),
                dial=self.dial_edit.text().strip(),
            )
        # The editor's own reading of a field beats the check of the placeholder value.
        return cfg, {**cfg.problems(), **errors}

    def _camera_config(self, cfg: DeviceConfig, errors: dict[str, str]) -> DeviceConfig:
        """``cfg`` with the camera fields; unreadable numbers go to ``errors``."""
        place: dict[str, float | None] = {}
        for key, edit in (("lon", self.lon_edit), ("lat", self.lat_edit)):
            text = edit.text().strip()
            try:
                place[key] = float(text) if text else None
            except ValueError:
                place[key] = None
                errors[key] = _tr("应为数字（度）：{text}").format(text=text)
        return replace(
            cfg,
            sub_url=self.sub_url_edit.text().strip(),
            ptz=self.ptz_edit.text().strip(),
            matrix=self.matrix_edit.text().strip(),
            matrix_input=self.matrix_input_spin.value() or None,
            lon=place["lon"],
            lat=place["lat"],
        )

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> bool:
        """Check the fields and, when they are valid, store them in the writer thread.

        Returns False (with every problem next to its field) when nothing was sent.
        """
        if self.busy:
            return False
        cfg, errors = self.config()
        if errors:
            self._show_errors(errors)
            return False
        self.errors.clear()
        self._set_busy(True)
        self._say(self.tr("正在保存…"), BUSY_COLOUR)
        service = self._ctx.services.devices
        actor = self._ctx.actor
        if self.original is None:
            self._ctx.runner.write(
                service.add, actor, cfg, on_result=self._on_saved, on_error=self._on_save_failed
            )
        else:
            self._ctx.runner.write(
                service.update,
                actor,
                self.original.name,
                cfg,
                on_result=self._on_saved,
                on_error=self._on_save_failed,
            )
        return True

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        unclaimed = self.errors.show(errors)
        if unclaimed:
            self._say("；".join(unclaimed.values()), ERROR_COLOUR)
        else:
            self._say(self.tr("请先改正标红的字段，尚未保存。"), ERROR_COLOUR)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)

    def _say(self, text: str, colour: str) -> None:
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _on_saved(self, cfg: DeviceConfig) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        self._set_busy(False)
        self.saved.emit(cfg)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        # The fields keep what was typed: the administrator corrects and saves again.
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
        else:
            self._say(self.tr("保存失败：{reason}").format(reason=error_text(exc)), ERROR_COLOUR)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot(int)
    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        self._fill_protocols()
        self._apply_kind()


# --------------------------------------------------------------------------- the list


class DeviceSettingsDialog(QDialog):
    """Configured devices with live health; add, edit, delete, enable, import, export, test."""

    COLUMNS = 7
    COL_STATE, COL_NAME, COL_KIND, COL_PROTOCOL, COL_URL, COL_LINE, COL_ENABLED = range(7)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceSettingsDialog")
        self.setWindowTitle(self.tr("设备设置"))
        self._ctx = ctx
        self.configs: list[DeviceConfig] = []
        self.loaded = False  # the first list has arrived
        self.editor: DeviceEditorDialog | None = None
        self.last_report: ImportReport | None = None
        self._tests: dict[int, DeviceConfig] = {}
        self._busy = False
        self._build()
        self.resize(1000, 560)
        ctx.bus.changed.connect(self._on_bus_changed)
        if ctx.devices is not None:
            ctx.devices.health_changed.connect(self._on_devices_health_changed)
            ctx.devices.command_finished.connect(self._on_devices_command_finished)
        self.reload()

    # -- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.header_label = QLabel(self.tr("设备配置（管理员）"), self)
        self.header_label.setObjectName("deviceSettingsHeader")
        font = self.header_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.header_label.setFont(font)
        intro = QLabel(
            self.tr(
                "显示矩阵与云台摄像机的连接设置，保存在数据库中，各席位共用；"
                "修改后设备按新设置自动重新连接。请仅由管理员修改。"
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #555;")

        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("deviceSettingsTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("状态"),
                self.tr("名称"),
                self.tr("类型"),
                self.tr("协议"),
                self.tr("地址"),
                self.tr("串口参数"),
                self.tr("启用"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_URL, QHeaderView.ResizeMode.Stretch)
        if self._ctx.devices is None:
            self.table.setColumnHidden(self.COL_STATE, True)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.table.itemDoubleClicked.connect(self._on_table_item_double_clicked)
        self.empty_label = QLabel(
            self.tr("尚未配置设备。点“添加”新建，或“导入 TOML…”从文件导入。"), self
        )
        self.empty_label.setObjectName("deviceSettingsEmpty")
        self.empty_label.setStyleSheet("color: #616161;")
        self.empty_label.hide()

        def button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
            b = QPushButton(text, self)
            b.setObjectName(name)
            b.clicked.connect(slot)
            return b

        self.add_button = button(self.tr("添加…"), "deviceAddButton", self._on_add_button_clicked)
        self.edit_button = button(
            self.tr("编辑…"), "deviceEditButton", self._on_edit_button_clicked
        )
        self.delete_button = QPushButton(self.tr("删除"), self)
        self.delete_button.setObjectName("deviceDeleteButton")
        self.delete_confirm = TwoStepButton(self.delete_button, self.tr("再按一次确认删除"))
        self.delete_confirm.confirmed.connect(self._on_delete_confirm_confirmed)
        self.enable_button = button(
            self.tr("停用"), "deviceEnableButton", self._on_enable_button_clicked
        )
        self.test_button = button(self.tr("测试"), "deviceTestButton", self._on_test_button_clicked)
        self.test_button.setToolTip(self.tr("矩阵：读取路由状态；摄像机：发送停止命令"))
        self.import_button = button(
            self.tr("导入 TOML…"), "deviceImportButton", self._on_import_button_clicked
        )
        self.export_button = button(
            self.tr("导出 TOML…"), "deviceExportButton", self._on_export_button_clicked
        )
        row = QHBoxLayout()
        for b in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.enable_button,
            self.test_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("deviceSettingsMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_view = QPlainTextEdit(self)
        self.report_view.setObjectName("deviceImportReport")
        self.report_view.setReadOnly(True)
        self.report_view.setMaximumHeight(self.report_view.fontMetrics().lineSpacing() * 7 + 12)
        self.report_view.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header_label)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.report_view)
        layout.addWidget(close)
        self._update_buttons()

    # -- what tests and the window read ---------------------------------------------------------

    def names(self) -> list[str]:
        """Device names listed, in order."""
        return [c.name for c in self.configs]

    def select(self, name: str) -> None:
        """Select the row of device ``name``."""
        for row, cfg in enumerate(self.configs):
            if cfg.name == name:
                self.table.selectRow(row)
                return
        raise KeyError(name)

    def selected(self) -> DeviceConfig | None:
        """The device of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.configs):
            return None
        return self.configs[rows[0].row()]

    def cell_text(self, name: str, column: int) -> str:
        """What the list shows for a device in a column."""
        row = self.names().index(name)
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the configured devices in a reader thread, then show them."""
        self._ctx.runner.read(
            self._ctx.services.devices.list, on_result=self._on_loaded, on_error=self._on_failed
        )

    def _on_loaded(self, configs: list[DeviceConfig]) -> None:
        if not isValid(self):
            return  # the widget was closed while the task ran
        keep = self.selected()
        self.configs = list(configs)
        self.loaded = True
        self.table.setRowCount(len(self.configs))
        for row, cfg in enumerate(self.configs):
            values = {
                self.COL_NAME: cfg.name,
                self.COL_KIND: kind_label(DeviceKind(cfg.kind)),
                self.COL_PROTOCOL: protocol_label(cfg.protocol),
                self.COL_URL: cfg.url,
                self.COL_LINE: serial_summary(cfg),
                self.COL_ENABLED: self.tr("是") if cfg.enabled else self.tr("否"),
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                item.setData(_NAME, cfg.name)
                self.table.setItem(row, column, item)
            self._show_health(row, cfg)
        self.empty_label.setVisible(not self.configs)
        if keep is not None and keep.name in self.names():
            self.select(keep.name)
        self._update_buttons()

    def _show_health(self, row: int, cfg: DeviceConfig) -> None:
        manager = self._ctx.devices
        health = manager.health(cfg.name) if manager is not None else None
        if cfg.credential_error:  # not run here: its secret cannot be read on this seat
            colour = state_colour(HealthState.OFFLINE)
            text, tip = self.tr("凭据无法解密"), cfg.credential_error
        elif health is None:
            text, colour, tip = self.tr("未运行"), GREY, ""
        else:
            text, colour = state_label(health.state), state_colour(health.state)
            tip = health.last_error if health.state is not HealthState.CONNECTED else health.info
            tip = device_text(tip)
        item = QTableWidgetItem(dot_icon(colour), text)
        item.setData(_NAME, cfg.name)
        item.setData(Qt.ItemDataRole.UserRole + 1, colour)
        item.setToolTip(tip)
        self.table.setItem(row, self.COL_STATE, item)

    def dot_colour(self, name: str) -> str:
        """The health dot colour shown for a device (``#rrggbb``)."""
        item = self.table.item(self.names().index(name), self.COL_STATE)
        return str(item.data(Qt.ItemDataRole.UserRole + 1)) if item is not None else ""

    # -- messages -------------------------------------------------------------------------------

    def show_message(self, text: str, colour: str = OK_COLOUR) -> None:
        """The outcome line under the buttons."""
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(text)

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self.show_message(
            self.tr("操作失败：{reason}").format(reason=error_text(exc)), ERROR_COLOUR
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        cfg = self.selected()
        chosen = cfg is not None and not self._busy
        for b in (self.edit_button, self.delete_button, self.enable_button):
            b.setEnabled(chosen)
        self.test_button.setEnabled(cfg is not None and self._ctx.devices is not None)
        self.import_button.setEnabled(not self._busy)
        self.enable_button.setText(
            self.tr("启用") if cfg is not None and not cfg.enabled else self.tr("停用")
        )

    def _write(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None]) -> None:
        """Run a service write; on success ``done`` and a reload, on failure the reason."""
        self._set_busy(True)

        def finished(value: Any) -> None:
            if not isValid(self):
                return
            self._set_busy(False)
            done(value)
            self.reload()

        self._ctx.runner.write(fn, *args, on_result=finished, on_error=self._on_failed)

    # -- editing --------------------------------------------------------------------------------

    def open_editor(self, cfg: DeviceConfig | None = None) -> DeviceEditorDialog:
        """Open the editor for a new device (``cfg`` None) or for ``cfg``."""
        if self.editor is not None and isValid(self.editor):
            self.editor.close()
        editor = DeviceEditorDialog(self._ctx, cfg, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._on_editor_saved)
        editor.finished.connect(self._on_editor_finished)
        self.editor = editor
        editor.open()
        return editor

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        cfg = self.selected()
        if cfg is not None:
            self.open_editor(cfg)

    @Slot(QTableWidgetItem)
    def _on_table_item_double_clicked(self, _item: QTableWidgetItem) -> None:
        self._on_edit_button_clicked()

    @Slot(object)
    def _on_editor_saved(self, cfg: DeviceConfig) -> None:
        self.show_message(self.tr("已保存设备 {name}").format(name=cfg.name))
        self.reload()

    @Slot(int)
    def _on_editor_finished(self, _result: int) -> None:
        self.editor = None

    @Slot()
    def _on_delete_confirm_confirmed(self) -> None:
        cfg = self.selected()
        if cfg is None:
            return
        self._write(
            self._ctx.services.devices.remove,
            self._ctx.actor,
            cfg.name,
            done=lambda _v: self.show_message(self.tr("已删除设备 {name}").format(name=cfg.name)),
        )

    @Slot()
    def _on_enable_button_clicked(self) -> None:
        cfg = self.selected()
        if cfg is None:
            return

        def done(new: DeviceConfig) -> None:
            text = self.tr("已启用设备 {name}") if new.enabled else self.tr("已停用设备 {name}")
            self.show_message(text.format(name=new.name))

        self._write(
            self._ctx.services.devices.set_enabled,
            self._ctx.actor,
            cfg.name,
            not cfg.enabled,
            done=done,
        )

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        self.delete_confirm.disarm()
        self._update_buttons()

    # -- TOML -----------------------------------------------------------------------------------

    @Slot()
    def _on_import_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("导入设备配置"), "", self.tr("TOML 文件 (*.toml);;所有文件 (*)")
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Import a TOML file in the writer thread and show its report."""
        name = Path(path).name
        self.show_message(self.tr("正在导入 {file}…").format(file=name), BUSY_COLOUR)

        def done(report: ImportReport) -> None:
            self.last_report = report
            self.report_view.setPlainText(describe_report(report, name))
            self.report_view.show()
            if report.ok:
                self.show_message(self.tr("已导入 {file}").format(file=name))
            else:
                self.show_message(
                    self.tr("{file} 中有 {n} 个设备未导入，原因见下").format(
                        file=name, n=len(report.problems)
                    ),
                    ERROR_COLOUR,
                )

        self._write(_import_file, self._ctx.services.devices, self._ctx.actor, path, done=done)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出设备配置"), "devices.toml", self.tr("TOML 文件 (*.toml)")
        )
        if path:
            self.export_file(path)

    def export_file(self, path: str) -> None:
        """Write every device to ``path`` as TOML (in a reader thread)."""
        if not Path(path).suffix:
            path += ".toml"

        def done(count: int) -> None:
            if isValid(self):
                self.show_message(self.tr("已导出 {n} 台设备到 {path}").format(n=count, path=path))

        self._ctx.runner.read(
            _export_file, self._ctx.services.devices, path, on_result=done, on_error=self._on_failed
        )

    # -- testing --------------------------------------------------------------------------------

    @Slot()
    def _on_test_button_clicked(self) -> None:
        cfg = self.selected()
        if cfg is not None:
            self.test_device(cfg)

    def test_device(self, cfg: DeviceConfig) -> None:
        """Send a harmless command (matrix: read the routing; camera: stop) and show the outcome."""
        manager = self._ctx.devices
        if manager is None:
            self.show_message(self.tr("本机未运行设备，无法测试"), ERROR_COLOUR)
            return
        if not cfg.enabled:
            self.show_message(
                self.tr("设备 {name} 已停用，启用后才能测试").format(name=cfg.name), ERROR_COLOUR
            )
            return
        action = "status" if DeviceKind(cfg.kind) is DeviceKind.MATRIX else "stop"
        command_id = manager.submit(cfg.name, action, actor=self._ctx.actor)
        self._tests[command_id] = cfg
        self.show_message(self.tr("正在测试 {name}…").format(name=cfg.name), BUSY_COLOUR)

    @Slot(object)
    def _on_devices_command_finished(self, result: CommandResult) -> None:
        cfg = self._tests.pop(result.id, None)
        if cfg is None:
            return
        if result.ok:
            if result.action == "status" and isinstance(result.value, Mapping):
                what = self.tr("已读取路由状态（{n} 路输出）").format(n=len(result.value))
            else:
                what = self.tr("已发送停止命令")
            self.show_message(self.tr("测试成功：{name} {what}").format(name=cfg.name, what=what))
            return
        text = self.tr("测试失败：{name}：{reason}").format(
            name=cfg.name, reason=device_text(result.reason)
        )
        manager = self._ctx.devices
        health = manager.health(cfg.name) if manager is not None else None
        if health is not None and health.last_error and health.last_error not in result.reason:
            text += "\n" + self.tr("最后错误：{error}").format(error=device_text(health.last_error))
        self.show_message(text, ERROR_COLOUR)

    # -- live updates ---------------------------------------------------------------------------

    @Slot(object)
    def _on_devices_health_changed(self, health: DeviceHealth) -> None:
        for row, cfg in enumerate(self.configs):
            if cfg.name == health.name:
                self._show_health(row, cfg)

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "devices":
            self.reload()
