"""The basic-information database (基础信息库): list, edit, import and export resources.

A kind filter and a name/address search over a keyset-paged table (100 rows a page); an editor
sub-dialog with every field and each problem shown next to its field; CSV/GeoJSON import with a
coordinate-system choice and the row-by-row problem report; CSV/GeoJSON export. Every service
call runs through ``ctx.runner``; a change anywhere is announced as the ``resources`` topic, on
which the list reloads.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console import geo
from console.app import AppContext
from console.domain import ConflictError, ValidationError
from console.domain.resources import (
    Crs,
    Resource,
    ResourceDraft,
    ResourceImportReport,
    ResourceKind,
)
from console.services import Services
from widgets.forms import (
    ERROR_COLOUR,
    OK_COLOUR,
    FormRows,
    PagedReader,
    TwoStepButton,
    error_text,
    keyset_page,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 100
BUSY_COLOUR = "#8a5a00"
HINT_STYLE = "color: #616161;"
MAX_FILE_BYTES = 20_000_000
KIND_COLOURS = {
    ResourceKind.RESCUE_TEAM: "#c62828",
    ResourceKind.DEPOT: "#6d4c41",
    ResourceKind.SHELTER: "#2e7d32",
    ResourceKind.HOSPITAL: "#1565c0",
    ResourceKind.HAZARD: "#ef6c00",
    ResourceKind.PROTECTION_TARGET: "#6a1b9a",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResourcesDialog", text)


def crs_label(crs: Crs) -> str:
    """The coordinate system as a person picks it."""
    return {
        Crs.WGS84: _tr("WGS-84（GPS、天地图）"),
        Crs.CGCS2000: _tr("CGCS2000（国家 2000）"),
        Crs.GCJ02: _tr("GCJ-02（高德、腾讯，自动转换）"),
    }[crs]


def unit_label(unit: str) -> str:
    """A capacity's unit in the interface's language.

    The usual Chinese units have English words; any other unit is shown as entered.
    """
    words = {
        "人": _tr("人"),
        "名": _tr("名"),
        "件": _tr("件"),
        "个": _tr("个"),
        "张": _tr("张"),
        "张床位": _tr("张床位"),
        "床位": _tr("床位"),
        "吨": _tr("吨"),
        "台": _tr("台"),
        "辆": _tr("辆"),
        "套": _tr("套"),
        "顶": _tr("顶"),
        "箱": _tr("箱"),
        "艘": _tr("艘"),
        "公斤": _tr("公斤"),
        "千克": _tr("千克"),
        "立方米": _tr("立方米"),
        "平方米": _tr("平方米"),
    }
    return words.get(unit.strip(), unit)


def capacity_label(resource: Resource) -> str:
    """``500 人`` (``500 people`` in English), or empty without a capacity."""
    if resource.capacity is None:
        return ""
    value = resource.capacity
    number = str(int(value)) if value == int(value) else f"{value:g}"
    return f"{number} {unit_label(resource.unit)}".strip()


def describe_report(report: ResourceImportReport, file_name: str) -> str:
    """What an import did, then one line per refused row or feature with its reason."""
    lines = [
        _tr("导入 {file}：新增 {added}，更新 {updated}，未变 {unchanged}，未导入 {bad}。").format(
            file=file_name,
            added=len(report.added),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
            bad=len(report.problems),
        )
    ]
    lines += [f"{p.where}：{p.message}" for p in report.problems]
    return "\n".join(lines)


def _is_geojson(path: str) -> bool:
    return Path(path).suffix.lower() in (".geojson", ".json")


def _import_file(
    services: Services, actor: str, path: str, crs: Crs, kind: ResourceKind | None
) -> ResourceImportReport:
    """Read a CSV or GeoJSON file and import it (worker thread)."""
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError({"file": _tr("无法读取文件：{error}").format(error=exc)}) from exc
    if _is_geojson(path):
        return services.resources.import_geojson(actor, data, crs=crs, default_kind=kind)
    return services.resources.import_csv(actor, data, crs=crs, default_kind=kind)


def _export_file(services: Services, path: str, kind: ResourceKind | None) -> int:
    """Write the resources (of ``kind``) to ``path`` as CSV or GeoJSON; how many (worker)."""
    if _is_geojson(path):
        text = services.resources.export_geojson(kind) + "\n"
    else:
        text = services.resources.export_csv(kind, bom=True)
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ValidationError({"file": _tr("无法写入文件：{error}").format(error=exc)}) from exc
    return services.resources.count(kind)


# --------------------------------------------------------------------------- the editor


class ResourceEditorDialog(QDialog):
    """Every field of one resource; saves only what the service accepts, keeps input on failure."""

    saved = Signal(object)  # Resource as stored

    def __init__(
        self,
        ctx: AppContext,
        original: Resource | None = None,
        parent: QWidget | None = None,
        kind: ResourceKind | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("resourceEditorDialog")
        self._ctx = ctx
        self.original = original
        self.busy = False
        self.rows = FormRows(self)
        self.errors = self.rows.errors
        if original is None:
            self.setWindowTitle(self.tr("添加资源"))
        else:
            self.setWindowTitle(self.tr("编辑资源 {name}").format(name=original.name))
        self._build()
        self.load(original, kind)
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    def _edit(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _build(self) -> None:
        form, row = self.rows.form, self.rows.row
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("resourceKind")
        for kind in ResourceKind:
            self.kind_combo.addItem(kind.label, kind.value)
        row("kind", self.tr("类别"), self.kind_combo)
        self.name_edit = self._edit("resourceName", self.tr("如 长春市某区综合救援队"))
        row("name", self.tr("名称"), self.name_edit)
        self.type_edit = self._edit("resourceType", self.tr("如 消防救援、Ⅰ类避难场所、危化品储存"))
        row("type", self.tr("类型"), self.type_edit)
        capacity_row = QWidget(self)
        cap_layout = QHBoxLayout(capacity_row)
        cap_layout.setContentsMargins(0, 0, 0, 0)
        self.capacity_edit = self._edit("resourceCapacity", self.tr("数量"))
        self.unit_edit = self._edit("resourceUnit", self.tr("单位：人、张床位、吨"))
        cap_layout.addWidget(self.capacity_edit, 2)
        cap_layout.addWidget(self.unit_edit, 1)
        row("capacity", self.tr("容量"), capacity_row, focus=self.capacity_edit, also=("unit",))
        self.contact_name_edit = self._edit("resourceContactName")
        row("contact_name", self.tr("联系人"), self.contact_name_edit)
        self.contact_phone_edit = self._edit("resourceContactPhone", "0431-88880000")
        row("contact_phone", self.tr("联系电话"), self.contact_phone_edit)
        self.address_edit = self._edit("resourceAddress")
        row("address", self.tr("地址"), self.address_edit)
        point = QWidget(self)
        point_layout = QHBoxLayout(point)
        point_layout.setContentsMargins(0, 0, 0, 0)
        self.lon_edit = self._edit("resourceLon", self.tr("经度，如 125.3245"))
        self.lat_edit = self._edit("resourceLat", self.tr("纬度，如 43.8868"))
        point_layout.addWidget(self.lon_edit)
        point_layout.addWidget(self.lat_edit)
        row("lon", self.tr("经纬度（WGS-84）"), point, focus=self.lon_edit, also=("lat",))
        self.place_label = QLabel(self)
        self.place_label.setObjectName("resourcePlace")
        self.place_label.setStyleSheet(HINT_STYLE)
        form.addRow("", self.place_label)
        self.division_edit = self._edit("resourceDivision", self.tr("留空则按经纬度自动填写"))
        row("division_code", self.tr("区划代码"), self.division_edit)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setObjectName("resourceNotes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(self.notes_edit.fontMetrics().lineSpacing() * 4 + 12)
        row("notes", self.tr("备注"), self.notes_edit)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("resourceEditorMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("resourceSaveButton")
        self.save_button.setDefault(True)
        cancel = self.buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.lon_edit.textChanged.connect(self._on_point_text_changed)
        self.lat_edit.textChanged.connect(self._on_point_text_changed)

    # -- values ---------------------------------------------------------------------------------

    def load(self, r: Resource | None, kind: ResourceKind | None = None) -> None:
        """Fill every field from ``r`` (empty for a new resource of ``kind``)."""
        chosen = r.kind if r is not None else (kind or ResourceKind.RESCUE_TEAM)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(chosen.value)))
        if r is None:
            return
        self.name_edit.setText(r.name)
        self.type_edit.setText(r.type)
        cap = r.capacity
        self.capacity_edit.setText(
            "" if cap is None else (str(int(cap)) if cap == int(cap) else f"{cap:g}")
        )
        self.unit_edit.setText(r.unit)
        self.contact_name_edit.setText(r.contact_name)
        self.contact_phone_edit.setText(r.contact_phone)
        self.address_edit.setText(r.address)
        self.lon_edit.setText(f"{r.lon:.6f}")
        self.lat_edit.setText(f"{r.lat:.6f}")
        self.division_edit.setText(r.division_code or "")
        self.notes_edit.setPlainText(r.notes)

    @staticmethod
    def _number(text: str) -> float | None:
        text = text.strip().replace("，", ".")
        if not text:
            return None
        value = float(text)  # ValueError for the caller
        if not math.isfinite(value):
            raise ValueError(text)
        return value

    def draft(self) -> tuple[ResourceDraft | None, dict[str, str]]:
        """The draft the fields describe, or None and field → problem."""
        errors: dict[str, str] = {}
        numbers: dict[str, float | None] = {}
        for key, edit in (
            ("capacity", self.capacity_edit),
            ("lon", self.lon_edit),
            ("lat", self.lat_edit),
        ):
            try:
                numbers[key] = self._number(edit.text())
            except ValueError:
                errors[key] = self.tr("不是数字：{text}").format(text=edit.text().strip())
        for key, word in (("lon", self.tr("经度")), ("lat", self.tr("纬度"))):
            if key not in errors and numbers.get(key) is None:
                errors[key] = self.tr("请填写{what}").format(what=word)
        if errors:
            return None, errors
        lon, lat = numbers["lon"], numbers["lat"]
        assert lon is not None
        assert lat is not None
        draft = ResourceDraft(
            kind=ResourceKind(str(self.kind_combo.currentData())),
            name=self.name_edit.text(),
            lon=lon,
            lat=lat,
            type=self.type_edit.text(),
            capacity=numbers["capacity"],
            unit=self.unit_edit.text(),
            contact_name=self.contact_name_edit.text(),
            contact_phone=self.contact_phone_edit.text(),
            address=self.address_edit.text(),
            division_code=self.division_edit.text().strip() or None,
            notes=self.notes_edit.toPlainText(),
        )
        return draft, {}

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> bool:
        """Check the fields and, when they read, store them in the writer thread."""
        if self.busy:
            return False
        draft, errors = self.draft()
        if draft is None:
            self._show_errors(errors)
            return False
        self.errors.clear()
        self._set_busy(True)
        self._say(self.tr("正在保存…"), BUSY_COLOUR)
        service = self._ctx.services.resources
        if self.original is None:
            self._ctx.runner.write(
                service.add,
                self._ctx.actor,
                draft,
                on_result=self._on_saved,
                on_error=self._on_save_failed,
            )
        else:
            self._ctx.runner.write(
                service.update,
                self._ctx.actor,
                self.original.id,
                draft,
                self.original.version,
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

    def _on_saved(self, resource: Resource) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self.saved.emit(resource)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            self._show_errors(exc.errors)
        elif isinstance(exc, ConflictError):
            self._say(str(exc), ERROR_COLOUR)
        else:
            self._say(self.tr("保存失败：{reason}").format(reason=error_text(exc)), ERROR_COLOUR)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot(str)
    def _on_point_text_changed(self, _text: str) -> None:
        try:
            lon = self._number(self.lon_edit.text())
            lat = self._number(self.lat_edit.text())
        except ValueError:
            lon = lat = None
        if lon is None or lat is None:
            self.place_label.setText("")
            return
        at = geo.locate(lon, lat)
        if at is None:
            self.place_label.setText(self.tr("该点不在吉林省的区县内"))
        else:
            self.place_label.setText(
                self.tr("位于 {place}（{code}）").format(place=at.full_name, code=at.county_code)
            )


# --------------------------------------------------------------------------- the list


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """A page of the list, where the next one starts, the count and the division names."""

    rows: tuple[Resource, ...]
    next_key: int | None  # id of the last resource shown (None: this is the last page)
    total: int
    division_names: dict[str, str]


class _Table(QTableWidget):
    """A table that says when its size changed (the name column then takes the width left)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Tell, after the viewport has its new size."""
        super().resizeEvent(event)
        self.resized.emit()


class ResourcesDialog(QDialog):
    """The basic-information database: filter, page, add, edit, delete, import, export."""

    COLUMNS = 9
    (
        COL_KIND,
        COL_NAME,
        COL_TYPE,
        COL_CAPACITY,
        COL_CONTACT,
        COL_PHONE,
        COL_DIVISION,
        COL_LON,
        COL_LAT,
    ) = range(9)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resourcesDialog")
        self.setWindowTitle(self.tr("基础信息库"))
        self._ctx = ctx
        self.resources: list[Resource] = []
        self.total = 0
        self.loaded = False
        self.loads = 0  # pages shown so far (tests wait on it)
        self.pages: PagedReader[ResourcePage, int] = PagedReader(
            self, ctx.runner, self._query, self._on_loaded, self._on_failed
        )
        self.editor: ResourceEditorDialog | None = None
        self.last_report: ResourceImportReport | None = None
        self._starts: list[int | None] = [None]  # after_id of each page seen; last = current
        self._busy = False
        self._name_width = 240
        self._build()
        self.resize(1180, 640)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.reload()

    # -- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        header = QLabel(self.tr("基础信息库"), self)
        font = header.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        header.setFont(font)
        intro = QLabel(
            self.tr(
                "救援队伍、物资储备库、避难场所、医疗机构、危险源和防护目标的位置、容量与联系人；"
                "坐标为 WGS-84。可从 CSV 或 GeoJSON 导入，错误的行会逐行列出。"
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #555;")

        self.kind_filter = QComboBox(self)
        self.kind_filter.setObjectName("resourceKindFilter")
        self.kind_filter.addItem(self.tr("全部类别"), "")
        for kind in ResourceKind:
            self.kind_filter.addItem(kind.label, kind.value)
        self.kind_filter.currentIndexChanged.connect(self._on_kind_filter_current_index_changed)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("resourceSearch")
        self.search_edit.setPlaceholderText(self.tr("按名称或地址查找"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("resourceCount")
        self.count_label.setStyleSheet(HINT_STYLE)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("类别"), self))
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.count_label)

        self.table = _Table(0, self.COLUMNS, self)
        self.table.resized.connect(self._fit_name)
        self.table.setObjectName("resourcesTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("类别"),
                self.tr("名称"),
                self.tr("类型"),
                self.tr("容量"),
                self.tr("联系人"),
                self.tr("联系电话"),
                self.tr("所在区划"),
                self.tr("经度"),
                self.tr("纬度"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # Widths are fitted once per page (ResizeToContents would re-measure on every cell).
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(False)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.table.itemDoubleClicked.connect(self._on_table_item_double_clicked)
        self.empty_label = QLabel(
            self.tr("没有资源。点“添加…”新建，或“导入…”从 CSV/GeoJSON 文件导入。"), self
        )
        self.empty_label.setObjectName("resourcesEmpty")
        self.empty_label.setStyleSheet(HINT_STYLE)
        self.empty_label.hide()

        def button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
            b = QPushButton(text, self)
            b.setObjectName(name)
            b.clicked.connect(slot)
            return b

        self.prev_button = button(self.tr("上一页"), "resourcePrevButton", self._on_prev_clicked)
        self.next_button = button(self.tr("下一页"), "resourceNextButton", self._on_next_clicked)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("resourcePage")
        self.add_button = button(self.tr("添加…"), "resourceAddButton", self._on_add_clicked)
        self.edit_button = button(self.tr("编辑…"), "resourceEditButton", self._on_edit_clicked)
        self.delete_button = QPushButton(self.tr("删除"), self)
        self.delete_button.setObjectName("resourceDeleteButton")
        self.delete_confirm = TwoStepButton(self.delete_button, self.tr("再按一次确认删除"))
        self.delete_confirm.confirmed.connect(self._on_delete_confirm_confirmed)
        self.crs_combo = QComboBox(self)
        self.crs_combo.setObjectName("resourceImportCrs")
        for crs in Crs:
            self.crs_combo.addItem(crs_label(crs), crs.value)
        self.crs_combo.setToolTip(self.tr("导入文件中坐标所用的坐标系"))
        self.import_button = button(
            self.tr("导入…"), "resourceImportButton", self._on_import_clicked
        )
        self.import_button.setToolTip(self.tr("CSV 或 GeoJSON；未写类别的行按上方选定的类别导入"))
        self.export_button = button(
            self.tr("导出…"), "resourceExportButton", self._on_export_clicked
        )
        paging = QHBoxLayout()
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next_button)
        paging.addStretch(1)
        row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(QLabel(self.tr("导入坐标系"), self))
        row.addWidget(self.crs_combo)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("resourcesMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_view = QPlainTextEdit(self)
        self.report_view.setObjectName("resourceImportReport")
        self.report_view.setReadOnly(True)
        self.report_view.setMaximumHeight(self.report_view.fontMetrics().lineSpacing() * 8 + 12)
        self.report_view.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(intro)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(paging)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.report_view)
        layout.addWidget(close)
        self._update_buttons()

    # -- what tests and the window read ---------------------------------------------------------

    def kind(self) -> ResourceKind | None:
        """The kind filter (None = every kind)."""
        value = str(self.kind_filter.currentData() or "")
        return ResourceKind(value) if value else None

    def set_kind(self, kind: ResourceKind | None) -> None:
        """Filter by ``kind`` (None = all); reloads from the first page."""
        self.kind_filter.setCurrentIndex(
            max(0, self.kind_filter.findData(kind.value if kind else ""))
        )

    def names(self) -> list[str]:
        """Resource names on the page shown, in order."""
        return [r.name for r in self.resources]

    def select(self, name: str) -> None:
        """Select the row of the resource called ``name``."""
        self.table.selectRow(self.names().index(name))

    def selected(self) -> Resource | None:
        """The resource of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.resources):
            return None
        return self.resources[rows[0].row()]

    def cell_text(self, name: str, column: int) -> str:
        """What the table shows for a resource in a column."""
        item = self.table.item(self.names().index(name), column)
        return item.text() if item is not None else ""

    @property
    def page_number(self) -> int:
        """The page shown, from 1."""
        return len(self._starts)

    # -- loading --------------------------------------------------------------------------------

    def reload(self, *, first_page: bool = False) -> None:
        """Read the current page (or the first one) in a reader thread, then show it.

        A new filter reads at once and the answer of a read still on its way is dropped; the
        same page asked again while it is on its way is read once more when it lands.
        """
        if first_page:
            self._starts = [None]
            self.pages.restart(None)
        else:
            self.pages.reload()

    def _query(self, after: int | None) -> Callable[[], ResourcePage]:
        kind = self.kind()
        text = self.search_edit.text().strip() or None
        services = self._ctx.services

        def load() -> ResourcePage:
            page = keyset_page(
                lambda limit: services.resources.page(kind, after_id=after, limit=limit, text=text),
                PAGE_SIZE,
                lambda r: r.id,
            )
            total = services.resources.count(kind, text=text)
            names = {
                r.division_code: services.reference.division_name(r.division_code)
                for r in page.rows
                if r.division_code
            }
            return ResourcePage(page.rows, page.next_key, total, names)

        return load

    def _on_loaded(self, value: ResourcePage, _appended: bool) -> None:
        page, total, division_names = value.rows, value.total, value.division_names
        if not page and len(self._starts) > 1:  # the page emptied (deletions): step back
            self._starts.pop()
            self.pages.restart(self._starts[-1])
            return
        keep = self.selected()
        self.resources = list(page)
        self.total = total
        self.table.setUpdatesEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(self.resources))
        for row, r in enumerate(self.resources):
            values = {
                self.COL_KIND: r.kind.label,
                self.COL_NAME: r.name,
                self.COL_TYPE: r.type,
                self.COL_CAPACITY: capacity_label(r),
                self.COL_CONTACT: r.contact_name,
                self.COL_PHONE: r.contact_phone,
                self.COL_DIVISION: division_names.get(r.division_code or "", "") or "—",
                self.COL_LON: f"{r.lon:.5f}",
                self.COL_LAT: f"{r.lat:.5f}",
            }
            for column, text in values.items():
                item = QTableWidgetItem(text)
                if column == self.COL_KIND:
                    item.setForeground(Qt.GlobalColor.white)
                    item.setBackground(QColor(KIND_COLOURS[r.kind]))
                if column in (self.COL_LON, self.COL_LAT, self.COL_CAPACITY):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(r.address or r.notes)
                self.table.setItem(row, column, item)
        self._fit_columns()
        self.table.setUpdatesEnabled(True)
        first = (self.page_number - 1) * PAGE_SIZE
        self.count_label.setText(self.tr("共 {n} 条").format(n=total))
        self.page_label.setText(
            self.tr("第 {page} 页（{a}–{b}）").format(
                page=self.page_number, a=first + 1 if page else 0, b=first + len(self.resources)
            )
        )
        self.empty_label.setVisible(not self.resources)
        if keep is not None and keep.id in [r.id for r in self.resources]:
            self.table.selectRow([r.id for r in self.resources].index(keep.id))
        self.loaded = True
        self.loads += 1
        self._update_buttons()

    def _fit_columns(self) -> None:
        """Fit every column to its contents, then the name column to the width left."""
        self.table.resizeColumnsToContents()
        self._name_width = self.table.columnWidth(self.COL_NAME)
        self._fit_name()

    @Slot()
    def _fit_name(self) -> None:
        head = self.table.horizontalHeader()
        others = head.length() - head.sectionSize(self.COL_NAME)
        room = self.table.viewport().width() - others
        head.resizeSection(self.COL_NAME, max(room, min(self._name_width, 240)))

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
        chosen = self.selected() is not None and not self._busy
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.import_button.setEnabled(not self._busy)
        self.prev_button.setEnabled(len(self._starts) > 1)
        self.next_button.setEnabled(self.pages.has_next)

    # -- paging and filtering -------------------------------------------------------------------

    def next_page(self) -> None:
        """Show the next page (keyset: the resources after the last one shown)."""
        if self.pages.has_next and self.resources:
            self._starts.append(self.resources[-1].id)
            self.pages.restart(self._starts[-1])

    def previous_page(self) -> None:
        """Show the page before."""
        if len(self._starts) > 1:
            self._starts.pop()
            self.pages.restart(self._starts[-1])

    @Slot()
    def _on_next_clicked(self) -> None:
        self.next_page()

    @Slot()
    def _on_prev_clicked(self) -> None:
        self.previous_page()

    @Slot(int)
    def _on_kind_filter_current_index_changed(self, _index: int) -> None:
        self.reload(first_page=True)

    @Slot()
    def _on_search_edit_return_pressed(self) -> None:
        self.reload(first_page=True)

    # -- editing --------------------------------------------------------------------------------

    def open_editor(self, resource: Resource | None = None) -> ResourceEditorDialog:
        """Open the editor for a new resource (``resource`` None) or for ``resource``."""
        if self.editor is not None and isValid(self.editor):
            self.editor.close()
        editor = ResourceEditorDialog(self._ctx, resource, self, kind=self.kind())
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._on_editor_saved)
        editor.finished.connect(self._on_editor_finished)
        self.editor = editor
        editor.open()
        return editor

    @Slot()
    def _on_add_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_clicked(self) -> None:
        r = self.selected()
        if r is not None:
            self.open_editor(r)

    @Slot(QTableWidgetItem)
    def _on_table_item_double_clicked(self, _item: QTableWidgetItem) -> None:
        self._on_edit_clicked()

    @Slot(object)
    def _on_editor_saved(self, r: Resource) -> None:
        self.show_message(self.tr("已保存 {name}").format(name=r.name))
        self.reload()

    @Slot(int)
    def _on_editor_finished(self, _result: int) -> None:
        self.editor = None

    @Slot()
    def _on_delete_confirm_confirmed(self) -> None:
        r = self.selected()
        if r is None:
            return
        self._write(
            self._ctx.services.resources.remove,
            self._ctx.actor,
            r.id,
            r.version,
            done=lambda _v: self.show_message(self.tr("已删除 {name}").format(name=r.name)),
        )

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        self.delete_confirm.disarm()
        self._update_buttons()

    def _write(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None]) -> None:
        self._set_busy(True)

        def finished(value: Any) -> None:
            if not isValid(self):
                return
            self._set_busy(False)
            done(value)
            self.reload()

        self._ctx.runner.write(fn, *args, on_result=finished, on_error=self._on_failed)

    # -- import and export ----------------------------------------------------------------------

    def crs(self) -> Crs:
        """The coordinate system chosen for imports."""
        return Crs(str(self.crs_combo.currentData()))

    def set_crs(self, crs: Crs) -> None:
        """Choose the coordinate system for imports."""
        self.crs_combo.setCurrentIndex(max(0, self.crs_combo.findData(crs.value)))

    @Slot()
    def _on_import_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("导入基础信息"),
            "",
            self.tr("CSV 或 GeoJSON (*.csv *.geojson *.json);;所有文件 (*)"),
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Import a CSV or GeoJSON file in the writer thread and show its report."""
        name = Path(path).name
        self.show_message(self.tr("正在导入 {file}…").format(file=name), BUSY_COLOUR)

        def done(report: ResourceImportReport) -> None:
            self.last_report = report
            self.report_view.setPlainText(describe_report(report, name))
            self.report_view.show()
            if report.ok:
                self.show_message(
                    self.tr("已导入 {file}：{n} 条").format(file=name, n=report.imported)
                )
            else:
                self.show_message(
                    self.tr("{file}：已导入 {ok} 条，{n} 条未导入，原因见下").format(
                        file=name, ok=report.imported, n=len(report.problems)
                    ),
                    ERROR_COLOUR,
                )

        self._write(
            _import_file,
            self._ctx.services,
            self._ctx.actor,
            path,
            self.crs(),
            self.kind(),
            done=done,
        )

    @Slot()
    def _on_export_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("导出基础信息"),
            "resources.csv",
            self.tr("CSV (*.csv);;GeoJSON (*.geojson)"),
        )
        if path:
            self.export_file(path)

    def export_file(self, path: str) -> None:
        """Write the resources of the chosen kind to ``path`` (CSV, or GeoJSON by suffix)."""
        if not Path(path).suffix:
            path += ".csv"

        def done(count: int) -> None:
            if isValid(self):
                self.show_message(self.tr("已导出 {n} 条到 {path}").format(n=count, path=path))

        self._ctx.runner.read(
            _export_file,
            self._ctx.services,
            path,
            self.kind(),
            on_result=done,
            on_error=self._on_failed,
        )

    # -- live updates ---------------------------------------------------------------------------

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "resources":
            self.reload()
