"""Benchmark: incident board and duty log at 200,000 incidents and 1,000,000 log entries.

Measures, in a real QApplication with real QTableViews shown offscreen (1400x800), the time from
opening the board / the log — and from changing a filter or the search text — to the first page
of rows painted, and the peak RSS; then the same for a naive load-everything model, and prints
both side by side with the ratio. See benchmarks/README.md.

    .venv/bin/python benchmarks/board.py [--incidents 200000] [--log 1000000] [--db URL] [--keep]

The parent process generates the data and prints the table; the paged and the naive model each
run in a child process of their own (``--child paged|naive``) so their memory never mixes.
``--variant NAME`` adds a column measured with a candidate fix monkeypatched in (labelled; the
project's code is not changed, and schema objects a variant creates are dropped afterwards).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import _datagen  # noqa: E402

TARGET_MS = 100.0
TARGET_RSS_MB = 400.0
VIEW_SIZE = (1400, 800)
WAIT_S = 60.0


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    """Timings of one scenario (ms) plus where the time went."""

    name: str
    group: str
    samples: list[float] = field(default_factory=list)
    query: list[float] = field(default_factory=list)  # worker time of the first page
    paint: list[float] = field(default_factory=list)  # the timed paint itself
    rows: int = 0
    targeted: bool = True
    peak_mb: float = 0.0  # process peak RSS once this scenario was done

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "group": self.group,
            "samples": self.samples,
            "query": self.query,
            "paint": self.paint,
            "rows": self.rows,
            "targeted": self.targeted,
            "peak_mb": self.peak_mb,
        }


def board_scenarios() -> list[tuple[str, Any, Any]]:
    """(name, base filter, changed filter) for the board's filter and search changes."""
    from console.domain import IncidentFilter
    from console.services.incidents import OPEN_STATUSES
    from console.timeutil import utcnow

    open_f = IncidentFilter(statuses=OPEN_STATUSES)
    all_f = IncidentFilter()
    week = utcnow() - timedelta(days=7)
    changes: list[tuple[str, dict[str, Any]]] = [
        ("grade II", {"grades": ("II",)}),
        ("category 22000 交通运输事故", {"category_code": "22000"}),
        ("category 32000 (rare)", {"category_code": "32000"}),
        ("prefecture 222400 延边", {"division_code": "222400"}),
        ("last 7 days", {"since": week}),
        (f"search common '{_datagen.COMMON_WORD}'", {"text": _datagen.COMMON_WORD}),
        (f"search rare '{_datagen.RARE_WORD}'", {"text": _datagen.RARE_WORD}),
        (f"search rare '{_datagen.RARE_PHRASE}'", {"text": _datagen.RARE_PHRASE}),
    ]
    out = []
    for base_name, base in (("open", open_f), ("all", all_f)):
        for name, change in changes:
            out.append((f"{base_name} → {name}", base, replace(base, **change)))
    return out


def log_scenarios(incident_id: int) -> list[tuple[str, dict[str, Any]]]:
    """(name, set_scope kwargs) for the duty log's search and incident scope."""
    return [
        (f"search common '{_datagen.COMMON_WORD}'", {"text": _datagen.COMMON_WORD}),
        (f"search rare '{_datagen.RARE_WORD}'", {"text": _datagen.RARE_WORD}),
        (f"search rare '{_datagen.RARE_PHRASE}'", {"text": _datagen.RARE_PHRASE}),
        (f"one incident (#{incident_id})", {"incident_id": incident_id}),
    ]


# ---------------------------------------------------------------------------------------------
# Child: measurement inside a QApplication
# ---------------------------------------------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec, so a
    # child started by the (data-generating) parent would report the parent's peak.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    try:
        import psutil

        current = psutil.Process().memory_info().rss / 2**20
    except ImportError:  # pragma: no cover - psutil is a dev dependency
        current = float("nan")
    return current, peak


class Harness:
    """Owns the QApplication and the timed views."""

    def __init__(self, url: str, mode: str, variants: list[str], repeat: int) -> None:
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication(["board-benchmark"])
        self.url = url
        self.mode = mode
        self.variants = variants
        self.repeat = repeat
        self.results: list[Result] = []
        self.notes: dict[str, Any] = {}

    # -- views -------------------------------------------------------------------------------

    def make_view(self, model: Any, kind: str) -> Any:
        """A QTableView set up like the real pane, reporting its first painted page.

        The view shows the model through the pane's own colouring proxy when ``widgets`` provides
        it (grade colours on the board, struck-out corrections in the log), with the pane's row
        height and column widths, so the paint costs what the operator's paint costs.
        """
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtGui import QPaintEvent
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

        class PaintWatch(QObject):
            """Event filter on the viewport: notes each Paint event as it arrives."""

            def __init__(self) -> None:
                super().__init__()
                self.paint_started: float | None = None

            def eventFilter(self, obj: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and view.armed and view.ready:
                    self.paint_started = time.perf_counter()
                return False

        class TimedView(QTableView):
            """The paint is timed when it has finished, not when it is requested."""

            def __init__(self) -> None:
                super().__init__()
                self.armed = False
                self.ready = False
                self.painted_at: float | None = None
                self.loop: Any = None

            def paintEvent(self, event: QPaintEvent) -> None:
                # QAbstractScrollArea hands the viewport's paint events to the view's paintEvent.
                super().paintEvent(event)
                if self.armed and self.ready:
                    self.painted_at = time.perf_counter()
                    self.armed = False
                    if self.loop is not None:
                        self.loop.quit()

        view = TimedView()
        proxy = self.proxy_for(kind, view)
        if proxy is not None:
            proxy.setSourceModel(model)
            view.setModel(proxy)
        else:
            view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(26 if kind == "board" else 24)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        stretch = 2 if kind == "board" else 3  # the title / the text
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        watch = PaintWatch()
        view.viewport().installEventFilter(watch)
        view.watch = watch  # keep it alive
        view.resize(*VIEW_SIZE)
        view.setWindowTitle(f"benchmark {self.mode} {kind}")
        return view

    def proxy_for(self, kind: str, parent: Any) -> Any:
        try:
            if kind == "board":
                from widgets.incident_board import GradeColourProxy

                self.notes["proxy_board"] = "widgets.incident_board.GradeColourProxy"
                return GradeColourProxy(parent)
            from widgets.duty_log import CorrectionProxy

            self.notes["proxy_log"] = "widgets.duty_log.CorrectionProxy"
            return CorrectionProxy(parent)
        except ImportError:
            self.notes[f"proxy_{kind}"] = "none (widgets not importable)"
            return None

    def arm(self, view: Any) -> None:
        view.watch.paint_started = None
        view.armed = True
        view.ready = False
        view.painted_at = None

    def wait_painted(self, view: Any, t0: float) -> float:
        """Run the event loop until ``view`` painted after its model's first page; ms since t0."""
        from PySide6.QtCore import QEventLoop, QTimer

        if view.painted_at is None:
            loop = QEventLoop()
            view.loop = loop
            timer = QTimer()
            timer.setSingleShot(True)
            timer.timeout.connect(loop.quit)
            timer.start(int(WAIT_S * 1000))
            loop.exec()
            view.loop = None
            timer.stop()
        if view.painted_at is None:
            raise RuntimeError(f"no paint within {WAIT_S} s")
        started = view.watch.paint_started
        view.paint_ms = (view.painted_at - started) * 1000 if started else float("nan")
        return (view.painted_at - t0) * 1000

    def settle(self, runner: Any | None = None) -> None:
        """Let queued work (count queries, deferred deletes) finish before the next sample."""
        from PySide6.QtCore import QCoreApplication, QEvent

        deadline = time.perf_counter() + WAIT_S
        while time.perf_counter() < deadline:
            self.app.processEvents()
            if runner is None or not runner.busy():
                break
            time.sleep(0.002)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.app.processEvents()

    def result(self, name: str, group: str, *, targeted: bool = True) -> Result:
        if self.results:
            self.results[-1].peak_mb = rss_mb()[1]
        r = Result(name, group, targeted=targeted)
        self.results.append(r)
        return r

    # -- models ------------------------------------------------------------------------------

    def new_context(self) -> Any:
        from console.app import build_context

        return build_context(self.url)

    def board_model(self, ctx: Any) -> Any:
        if self.mode == "naive":
            return NaiveBoardModel(ctx.services)
        from console.models.incident_board import IncidentBoardModel

        return IncidentBoardModel(ctx.services, ctx.runner)

    def log_model(self, ctx: Any) -> Any:
        if self.mode == "naive":
            return NaiveLogModel(ctx.services)
        from console.models.duty_log import DutyLogModel

        return DutyLogModel(ctx.services, ctx.runner)

    def instrument(self, model: Any, view: Any) -> None:
        """Mark the view ready when the first page arrives; time the worker's query."""
        if self.mode == "naive":
            model.loaded_hook = lambda: setattr(view, "ready", True)
            return
        fetch = model.fetch_page

        def timed_fetch(after: Any, limit: int) -> Any:
            t = time.perf_counter()
            try:
                return fetch(after, limit)
            finally:
                model.last_query_ms = (time.perf_counter() - t) * 1000

        model.fetch_page = timed_fetch

        def on_loaded(_n: int) -> None:
            view.ready = True
            view.viewport().update()  # an empty first page inserts no rows, yet must show

        model.page_loaded.connect(on_loaded)
        model.load_failed.connect(lambda msg: print("load failed:", msg, file=sys.stderr))

    # -- scenarios ---------------------------------------------------------------------------

    def open_once(self, kind: str, ctx: Any, apply: Callable[[Any], None]) -> tuple[float, Any]:
        """Construct model and view, apply the filter/scope, wait for the painted first page."""
        t0 = time.perf_counter()
        model = self.board_model(ctx) if kind == "board" else self.log_model(ctx)
        view = self.make_view(model, kind)
        self.instrument(model, view)
        self.arm(view)
        view.show()
        apply(model)
        ms = self.wait_painted(view, t0)
        return ms, (model, view)

    def close_view(self, pair: Any, ctx: Any) -> None:
        model, view = pair
        self.settle(ctx.runner)
        view.close()
        view.setModel(None)
        view.deleteLater()
        model.deleteLater()
        self.settle(ctx.runner)

    def measure_open(self, kind: str, name: str, apply: Callable[[Any], None]) -> Any:
        """Open ``repeat`` times, each on a fresh context (cold caches, new connections)."""
        res = self.result(name, kind)
        n = self.repeat if self.mode == "paged" else max(1, min(self.repeat, 2))
        kept = None
        for i in range(n):
            ctx = self.new_context()
            ms, pair = self.open_once(kind, ctx, apply)
            res.samples.append(ms)
            res.query.append(getattr(pair[0], "last_query_ms", float("nan")))
            res.paint.append(pair[1].paint_ms)
            res.rows = pair[0].rowCount()
            if i == n - 1:
                kept = (ctx, pair)
            else:
                self.close_view(pair, ctx)
                ctx.close()
        return kept

    def measure_change(
        self,
        res: Result,
        model: Any,
        view: Any,
        ctx: Any,
        base: Callable[[Any], None],
        change: Callable[[Any], None],
    ) -> None:
        for _ in range(self.repeat):
            self.arm(view)
            base(model)
            self.wait_painted(view, time.perf_counter())
            self.settle(ctx.runner)
            self.arm(view)
            t0 = time.perf_counter()
            change(model)
            res.samples.append(self.wait_painted(view, t0))
            res.query.append(getattr(model, "last_query_ms", float("nan")))
            res.paint.append(view.paint_ms)
            res.rows = model.rowCount()
            self.settle(ctx.runner)

    def run(self) -> dict[str, Any]:
        from console.domain import IncidentFilter
        from console.services.incidents import OPEN_STATUSES

        t_start = time.perf_counter()
        self.notes["pyside_singleton_leak"] = pin_singletons()
        self.notes["rss_start_mb"] = rss_mb()[0]
        self.notes["shim"] = self.probe_due_for()
        if self.mode == "paged":
            self.notes["variant_setup"] = apply_variants(self.variants, self.url)
        open_f = IncidentFilter(statuses=OPEN_STATUSES)

        def board_filter(f: Any) -> Callable[[Any], None]:
            return lambda model: model.set_filter(f)

        def log_scope(**kw: Any) -> Callable[[Any], None]:
            return lambda model: model.set_scope(**kw)

        # (a) open the board: default open-statuses filter, and "all"
        kept = self.measure_open("board", "open board (open statuses)", board_filter(open_f))
        assert kept is not None
        self.close_view(kept[1], kept[0])
        kept[0].close()
        board_ctx, (board, board_view) = self.measure_open(
            "board", "open board (all)", board_filter(IncidentFilter())
        )
        # (b) open the log
        log_ctx, (log, log_view) = self.measure_open("log", "open log", log_scope())
        self.notes["rss_after_open_mb"] = rss_mb()[0]

        # (c) filter and search changes, on the board opened above
        for name, base, changed in board_scenarios():
            res = self.result(name, "board")
            self.measure_change(
                res, board, board_view, board_ctx, board_filter(base), board_filter(changed)
            )
        incident_id = self._log_incident(log_ctx)
        for name, kw in log_scenarios(incident_id):
            res = self.result(name, "log")
            self.measure_change(res, log, log_view, log_ctx, log_scope(), log_scope(**kw))

        # both panes at once, as the main window starts (not a target of its own)
        res = self.result("open window (board+log together)", "window", targeted=False)
        for _ in range(self.repeat if self.mode == "paged" else 1):
            ctx = self.new_context()
            t0 = time.perf_counter()
            m1, m2 = self.board_model(ctx), self.log_model(ctx)
            v1, v2 = self.make_view(m1, "board"), self.make_view(m2, "log")
            for mm, vv in ((m1, v1), (m2, v2)):
                self.instrument(mm, vv)
                self.arm(vv)
                vv.show()
            m1.set_filter(open_f)
            m2.set_scope()
            a = self.wait_painted(v1, t0)
            b = self.wait_painted(v2, t0)
            res.samples.append(max(a, b))
            self.close_view((m1, v1), ctx)
            self.close_view((m2, v2), ctx)
            ctx.close()

        self.settle(board_ctx.runner)
        current, peak = rss_mb()
        self.results[-1].peak_mb = peak
        self.notes["rss_end_mb"] = current
        self.notes["rss_peak_mb"] = peak
        self.notes["seconds"] = time.perf_counter() - t_start
        if self.mode == "paged":
            self.notes["variant_teardown"] = teardown_variants(self.variants, self.url)
        board_view.close()
        log_view.close()
        board_ctx.close()
        log_ctx.close()
        return {
            "mode": self.mode,
            "variants": self.variants,
            "results": [r.as_dict() for r in self.results],
            "notes": self.notes,
        }

    def probe_due_for(self) -> str:
        """Shim DeadlineService.due_for only if it still fails on an incident with a report."""
        from sqlalchemy import select
        from sqlalchemy.orm.exc import DetachedInstanceError

        from console.db import models as m

        ctx = self.new_context()
        try:
            with ctx.services.db.read() as s:
                iid = s.scalar(select(m.SentReportRow.incident_id).limit(1))
            if iid is None:
                return "no sent reports: due_for not probed"
            try:
                ctx.services.deadlines.due_for([ctx.services.incidents.get(iid)])
            except DetachedInstanceError:
                return shim_due_for()
            return "due_for works as shipped"
        finally:
            ctx.close()

    def _log_incident(self, ctx: Any) -> int:
        """A recent incident with log entries (what the incident detail's log pane shows)."""
        from sqlalchemy import func, select

        from console.db import models as m

        with ctx.services.db.read() as s:
            return int(s.scalar(select(func.max(m.LogEntryRow.incident_id))) or 1)


def pin_singletons() -> str:
    """Keep None/True/False alive if this PySide6 drops references to them; say what was seen.

    PySide6 6.12.0 on CPython 3.11 loses one reference to None, True or False each time one
    crosses from a QVariant into Python (``QModelIndex.data()`` of an empty role, a proxy's
    ``super().data()``, a queued ``Signal(object)`` argument). Below 3.12 those objects are
    mortal, so after a few thousand paints the interpreter aborts with "deallocating None".
    The benchmark raises their reference counts far out of reach so the measurement can finish;
    the application itself is not protected by this.
    """
    import ctypes

    from PySide6.QtCore import QModelIndex

    before = sys.getrefcount(None)
    for _ in range(100):
        QModelIndex().data()
    lost = before - sys.getrefcount(None)
    if lost <= 0 or sys.version_info >= (3, 12):
        return f"no singleton reference leak seen (None refs {before} → {before - lost})"
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    return (
        f"PySide6 lost {lost} references to None in 100 QModelIndex().data() calls; "
        "None/True/False pinned so the benchmark survives (the application would abort)"
    )


def shim_due_for() -> str:
    """Work around DeadlineService.due_for reading SentReportRow objects after its session closed.

    ``Database.read()`` rolls back on exit, which expires every loaded ORM object; ``_due`` then
    reads ``stage``/``sent_at`` from the detached rows and raises DetachedInstanceError, so any
    board page holding an incident with a sent report fails to load. Until the service is fixed,
    the benchmark gives ``_due`` plain (incident_id, stage, sent_at) rows read inside the session
    — the same single query, so the timing is what the fixed service would cost.
    """
    from sqlalchemy import select

    from console.db import models as m
    from console.services.deadlines import DeadlineService
    from console.timeutil import utcnow

    original = DeadlineService.due_for
    if getattr(original, "benchmark_shim", False):
        return "due_for shim already applied"

    def due_for(self: Any, incidents: list[Any], now: Any = None) -> dict[int, list[Any]]:
        now = now or utcnow()
        ids = [i.id for i in incidents]
        sent: dict[int, list[Any]] = {i: [] for i in ids}
        if ids:
            r = m.SentReportRow
            with self._db.read() as s:
                q = (
                    select(r.incident_id, r.stage, r.sent_at)
                    .where(r.incident_id.in_(ids))
                    .order_by(r.sent_at)
                )
                for row in s.execute(q):
                    sent[row.incident_id].append(row)
        return {i.id: self._due(i, sent[i.id], now) for i in incidents}

    due_for.benchmark_shim = True  # type: ignore[attr-defined]
    DeadlineService.due_for = due_for  # type: ignore[method-assign]
    return "DeadlineService.due_for shimmed (detached SentReportRow bug)"


# ---------------------------------------------------------------------------------------------
# The naive comparison: load every row on open, filter in Python
# ---------------------------------------------------------------------------------------------


def _naive_classes() -> tuple[type, type]:
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from sqlalchemy import select

    from console.db import models as m
    from console.domain import IncidentFilter
    from console.models.duty_log import DutyLogModel
    from console.models.incident_board import BoardRow, IncidentBoardModel
    from console.services import convert
    from console.timeutil import utcnow

    class NaiveBoard(QAbstractTableModel):
        """Every incident (and every sent report) in Python lists; filters run in Python."""

        (
            COL_ID,
            COL_GRADE,
            COL_TITLE,
            COL_CATEGORY,
            COL_AREA,
            COL_STATUS,
            COL_OCCURRED,
            COL_OWNER,
            COL_DUE,
        ) = range(9)

        def __init__(self, services: Any) -> None:
            super().__init__()
            self._services = services
            self._all: list[Any] | None = None
            self._sent: dict[int, list[Any]] = {}
            self._rows: list[Any] = []
            self._cache: dict[int, Any] = {}
            self.columns = (
                "编号",
                "等级",
                "事件",
                "类别",
                "地区",
                "状态",
                "发生时间",
                "责任人",
                "报送时限",
            )
            self.loaded_hook: Callable[[], None] = lambda: None
            services.deadlines._closed_at = self._closed_at

        def _closed_at(self, incident_id: int) -> Any:
            return self._by_id[incident_id].closed_at

        def _load_all(self) -> None:
            r = m.IncidentRow
            with self._services.db.read() as s:
                q = select(r.__table__).order_by(r.occurred_at.desc(), r.id.desc())
                self._all = list(s.execute(q))
                sent: dict[int, list[Any]] = {}
                for row in s.execute(select(m.SentReportRow.__table__)):
                    sent.setdefault(row.incident_id, []).append(row)
                self._sent = sent
            self._by_id = {row.id: row for row in self._all}
            self._names = {u.username: u.display_name for u in self._services.people.users()}

        def set_filter(self, f: IncidentFilter) -> None:
            if self._all is None:
                self._load_all()
            assert self._all is not None
            self.beginResetModel()
            self._rows = [row for row in self._all if self._match(row, f)]
            self._cache = {}
            self.endResetModel()
            self.loaded_hook()

        @staticmethod
        def _match(row: Any, f: IncidentFilter) -> bool:
            if not f.include_merged and row.merged_into_id is not None:
                return False
            if f.statuses and row.status not in {s.value for s in f.statuses}:
                return False
            if f.grades and (row.grade or "none") not in f.grades:
                return False
            if f.category_code and f.category_code not in (
                row.category_code,
                row.subcategory_code,
            ):
                return False
            if f.division_code:
                prefix = f.division_code.rstrip("0") or f.division_code
                if not row.division_code.startswith(prefix):
                    return False
            occurred = row.occurred_at
            if f.since and occurred < f.since:
                return False
            if f.until and occurred >= f.until:
                return False
            needle = f.text.strip()
            if needle:
                hit = needle in row.title or needle in row.address
                if needle.isdigit():
                    hit = hit or row.id == int(needle)
                if not hit:
                    return False
            return True

        def _board_row(self, i: int) -> Any:
            cached = self._cache.get(i)
            if cached is not None:
                return cached
            inc = convert.incident(self._rows[i])
            ref = self._services.reference
            cat = ref.categories().get(inc.subcategory_code or inc.category_code)
            dues = tuple(self._services.deadlines._due(inc, self._sent.get(inc.id, []), utcnow()))
            row = BoardRow(
                incident=inc,
                category=cat.name if cat else inc.category_code,
                area=ref.division_name(inc.division_code),
                dues=dues,
                next_due=self._services.deadlines.next_due(list(dues)),
                owner_name=self._names.get(inc.owner, inc.owner),
            )
            self._cache[i] = row
            return row

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(self._rows)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(self.columns)

        def headerData(self, section: int, orientation: Any, role: int = 0) -> Any:
            if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section]
            return None

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if not index.isValid():
                return None
            return IncidentBoardModel.cell(
                self,  # type: ignore[arg-type]
                self._board_row(index.row()),
                index.column(),
                role,
            )

    class NaiveLog(QAbstractTableModel):
        """Every log entry in a Python list; scope and search filter in Python."""

        COL_TIME, COL_AUTHOR, COL_KIND, COL_TEXT, COL_INCIDENT = range(5)

        def __init__(self, services: Any) -> None:
            super().__init__()
            self._services = services
            self._all: list[Any] | None = None
            self._corrected_by: dict[int, int] = {}
            self._rows: list[Any] = []
            self._cache: dict[int, Any] = {}
            self.columns = ("时间", "值班员", "类型", "内容", "事件")
            self.loaded_hook: Callable[[], None] = lambda: None

        def _load_all(self) -> None:
            r = m.LogEntryRow
            with self._services.db.read() as s:
                self._all = list(s.execute(select(r.__table__).order_by(r.at.desc(), r.id.desc())))
            corrected: dict[int, int] = {}
            for row in self._all:
                if row.corrects_id is not None:
                    corrected[row.corrects_id] = max(corrected.get(row.corrects_id, 0), row.id)
            self._corrected_by = corrected
            self._names = {u.username: u.display_name for u in self._services.people.users()}

        def set_scope(self, incident_id: int | None = None, text: str = "") -> None:
            if self._all is None:
                self._load_all()
            assert self._all is not None
            needle = text.strip()
            self.beginResetModel()
            self._rows = [
                row
                for row in self._all
                if (incident_id is None or row.incident_id == incident_id)
                and (not needle or needle in row.text)
            ]
            self._cache = {}
            self.endResetModel()
            self.loaded_hook()

        def _entry(self, i: int) -> Any:
            cached = self._cache.get(i)
            if cached is None:
                row = self._rows[i]
                cached = convert.log_entry(row, self._corrected_by.get(row.id))
                self._cache[i] = cached
            return cached

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(self._rows)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(self.columns)

        def headerData(self, section: int, orientation: Any, role: int = 0) -> Any:
            if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section]
            return None

        def author_name(self, username: str) -> str:
            return DutyLogModel.author_name(self, username)  # type: ignore[arg-type]

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if not index.isValid():
                return None
            return DutyLogModel.cell(
                self,  # type: ignore[arg-type]
                self._entry(index.row()),
                index.column(),
                role,
            )

    return NaiveBoard, NaiveLog


def NaiveBoardModel(services: Any) -> Any:
    return _naive_classes()[0](services)


def NaiveLogModel(services: Any) -> Any:
    return _naive_classes()[1](services)


# ---------------------------------------------------------------------------------------------
# Variants: candidate fixes, measured by monkeypatching (clearly labelled, never the default)
# ---------------------------------------------------------------------------------------------

BENCH_PREFIX = "bench_"  # every schema object a variant creates is named so, and dropped after


@dataclass(frozen=True)
class Variant:
    """A candidate fix: schema objects to create (SQL), code to patch, a one-line description."""

    description: str
    create: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    patch: Callable[[], None] | None = None


def _patch_low_priority_counts() -> None:
    """PagedTableModel._count as shipped, but on TaskRunner.read_low (the model is not ours)."""
    from console.models.paged import PagedTableModel

    def _count(self: Any) -> None:
        if self._runner.closed:
            return
        generation = self._generation

        def done(total: int) -> None:
            if generation == self._generation:
                self._total = total
                self.total_changed.emit(total)

        self._runner.read_low(self.count_rows, on_result=done, on_error=lambda _e: None)

    PagedTableModel._count = _count  # type: ignore[method-assign]


# The earlier variants `covering` (board index with every filter column), `like` (plain LIKE on
# SQLite) and `fts` (trigram FTS5) shipped in migration 0003 / console.services.search (with a
# bigram index instead of trigrams, so 2-character words are served too).
VARIANTS: dict[str, Variant] = {
    "lowcount": Variant(
        "row counts on TaskRunner.read_low (one worker that waits for the page loads in flight) "
        "instead of the two readers the first pages use",
        patch=_patch_low_priority_counts,
    ),
}


def _exec_sql(url: str, statements: tuple[str, ...]) -> float:
    from console.db.engine import make_engine

    engine = make_engine(url)
    t = time.perf_counter()
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()
    return time.perf_counter() - t


def apply_variants(names: list[str], url: str) -> str:
    """Create the variants' schema objects and patch the code; returns what was done."""
    done = []
    for name in names:
        v = VARIANTS[name]
        if v.create:
            secs = _exec_sql(url, v.create)
            done.append(f"{name}: schema built in {secs:.1f} s")
        if v.patch is not None:
            v.patch()
            done.append(f"{name}: code patched")
    return "; ".join(done)


def teardown_variants(names: list[str], url: str) -> str:
    """Drop what the variants created, so the baseline keeps measuring the real schema."""
    for name in names:
        v = VARIANTS[name]
        if v.drop:
            _exec_sql(url, v.drop)
    return "dropped"


def clean_variants(url: str) -> None:
    """Drop any variant leftovers (a run that was killed) before measuring the baseline."""
    from console.db.engine import make_engine

    engine = make_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            return
        with engine.begin() as conn:
            rows = conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE name LIKE ?",
                (BENCH_PREFIX + "%",),
            ).all()
            order = {"trigger": 0, "index": 1, "table": 2}
            virtual = {name for _k, name, sql in rows if sql and sql.upper().startswith("CREATE V")}
            for kind, name, _sql in sorted(
                rows, key=lambda r: (order.get(r[0], 3), r[1] not in virtual)
            ):
                if kind in order:
                    conn.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {name}")
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Parent: data, children, table
# ---------------------------------------------------------------------------------------------


def environment(url: str) -> dict[str, str]:
    import PySide6
    import sqlalchemy
    from PySide6.QtCore import qVersion

    cpu = platform.processor() or ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    env = {
        "CPU": f"{os.cpu_count()} × {cpu}",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "PySide6 / Qt": f"{PySide6.__version__} / {qVersion()}",
        "SQLAlchemy": sqlalchemy.__version__,
        "SQLite": sqlite3.sqlite_version,
        "QPA": os.environ.get("QT_QPA_PLATFORM", ""),
    }
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        env["Database"] = f"{path} ({size / 2**20:.0f} MB)"
    else:
        env["Database"] = url.split("@")[-1]
    return env


def run_child(mode: str, url: str, args: argparse.Namespace, variants: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--{mode}",
        "--db",
        url,
        "--repeat",
        str(args.repeat),
        "--json-out",
        str(out),
    ]
    for v in variants:
        cmd += ["--variant", v]
    label = mode + ("+" + "+".join(variants) if variants else "")
    print(f"… measuring {label} in a child process", flush=True)
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    proc = subprocess.run(cmd, env=env, check=False, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"{label} child failed with status {proc.returncode}")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    data["label"] = label
    return data


def _stats(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), max(samples)


def _verdict(med: float, worst: float) -> str:
    if worst <= TARGET_MS:
        return "PASS"
    if med <= TARGET_MS:
        return "PASS(med)"
    return "MISS"


def print_table(runs: list[dict[str, Any]], env: dict[str, str], gen: str) -> None:
    """metric | each run (median / max ms) | ratio naive÷paged | verdict per paged run."""
    paged = [r for r in runs if r["mode"] == "paged"]
    naive = next((r for r in runs if r["mode"] == "naive"), None)
    by_name = [{x["name"]: x for x in r["results"]} for r in runs]
    names = [x["name"] for x in runs[0]["results"]]
    width = max(len(n) for n in names) + 2
    heads = [f"{r['label']} med/max ms" for r in runs]
    cols = [max(18, len(h)) for h in heads]
    header = f"{'metric':<{width}}" + "".join(
        f" | {h:>{c}}" for h, c in zip(heads, cols, strict=True)
    )
    if naive:
        header += f" | {'naive÷paged':>11}"
    header += " | " + " ".join(f"{'verdict ' + p['label']:<16}" for p in paged)
    print()
    print(header)
    print("-" * len(header))
    group = None
    for name in names:
        first = by_name[0][name]
        if first["group"] != group:
            group = first["group"]
        line = f"{name:<{width}}"
        meds = {}
        for run, lookup, c in zip(runs, by_name, cols, strict=True):
            res = lookup.get(name)
            if res is None or not res["samples"]:
                line += f" | {'—':>{c}}"
                continue
            med, worst = _stats(res["samples"])
            meds[run["label"]] = med
            q = [v for v in res["query"] if v == v]  # drop NaN
            qtxt = f" q{statistics.median(q):.0f}" if q else ""
            pt = [v for v in res.get("paint", []) if v == v]
            qtxt += f" p{statistics.median(pt):.0f}" if pt else ""
            cell = f"{med:7.1f} / {worst:7.1f}{qtxt}"
            line += f" | {cell:>{c}}"
        if naive:
            p = meds.get(paged[0]["label"]) if paged else None
            nv = meds.get(naive["label"])
            ratio = f"{nv / p:.1f}×" if p and nv else "—"
            line += f" | {ratio:>11}"
        verdicts = []
        for p in paged:
            res = {x["name"]: x for x in p["results"]}.get(name)
            if res is None or not res["samples"] or not res["targeted"]:
                verdicts.append(f"{'(info)':<16}")
                continue
            verdicts.append(f"{_verdict(*_stats(res['samples'])):<16}")
        line += " | " + " ".join(verdicts)
        print(line)
    print("-" * len(header))
    line = f"{'peak RSS (MB)':<{width}}"
    peaks = {}
    for run, c in zip(runs, cols, strict=True):
        peak = run["notes"]["rss_peak_mb"]
        peaks[run["label"]] = peak
        line += f" | {peak:>{c}.0f}"
    if naive and paged:
        line += f" | {peaks[naive['label']] / peaks[paged[0]['label']]:>10.1f}×"
    line += " | " + " ".join(
        f"{'PASS' if p['notes']['rss_peak_mb'] < TARGET_RSS_MB else 'MISS':<16}" for p in paged
    )
    print(line)
    line = f"{'RSS before any model (MB)':<{width}}"
    for run, c in zip(runs, cols, strict=True):
        line += f" | {run['notes']['rss_start_mb']:>{c}.0f}"
    print(line)
    print()
    print(
        f"targets: first page ≤ {TARGET_MS:.0f} ms (PASS = max within, PASS(med) = median "
        f"within, max not), peak RSS < {TARGET_RSS_MB:.0f} MB. 'q' = median worker time of the "
        "first page's query (paged only), 'p' = median time of the paint itself."
    )
    for name, v in VARIANTS.items():
        if any(name in run.get("variants", []) for run in runs):
            print(f"variant {name}: {v.description}")
    for run in runs:
        print(f"{run['label']}: {run['notes'].get('shim', '')}")
        print(f"{run['label']}: {run['notes'].get('pyside_singleton_leak', '')}")
        setup = run["notes"].get("variant_setup")
        if setup:
            print(f"{run['label']}: variant setup {setup}")
    print(gen)
    for k, v in env.items():
        print(f"{k:<14} {v}")


def parent(args: argparse.Namespace) -> None:
    tmpdir: Path | None = None
    if args.db:
        url = args.db
    else:
        tmpdir = Path(tempfile.mkdtemp(prefix="duty-board-bench-"))
        url = f"sqlite:///{tmpdir / 'board.sqlite'}"
    try:
        have = _datagen.row_counts(url)
        gen = f"data: reused {have[0]:,} incidents and {have[1]:,} log entries"
        if have == (0, 0):
            print(f"generating {args.incidents:,} incidents and {args.log:,} log entries in {url}")
            g = _datagen.generate(
                url, args.incidents, args.log, progress=lambda s: print("  " + s, flush=True)
            )
            phases = ", ".join(f"{k} {v:.1f}s" for k, v in g.seconds.items())
            gen = (
                f"data: generated {g.incidents:,} incidents, {g.sent_reports:,} sent reports and "
                f"{g.log_entries:,} log entries in {g.seconds['total']:.1f} s ({phases})"
            )
            print(gen)
        elif have != (args.incidents, args.log):
            print(f"note: database holds {have[0]:,} incidents and {have[1]:,} log entries")
        clean_variants(url)
        runs = [run_child("paged", url, args, [])]
        for v in args.variant:
            runs.append(run_child("paged", url, args, v.split("+")))
        if not args.no_naive:
            runs.append(run_child("naive", url, args, []))
        env = environment(url)
        print_table(runs, env, gen)
        if args.json:
            Path(args.json).write_text(json.dumps(runs, ensure_ascii=False, indent=1), "utf-8")
    finally:
        if tmpdir is not None:
            if args.keep:
                print(f"kept: --db sqlite:///{tmpdir / 'board.sqlite'}")
            else:
                shutil.rmtree(tmpdir, ignore_errors=True)


def child(args: argparse.Namespace) -> None:
    variants = [v for group in args.variant for v in group.split("+")]
    harness = Harness(args.db, args.child, variants, args.repeat)
    data = harness.run()
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        data["label"] = args.child
        for r in data["results"]:
            print(f"{r['name']:<40} peak RSS after: {r['peak_mb']:.0f} MB")
        print_table([data], environment(args.db), "data: as found")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--incidents", type=int, default=200_000)
    p.add_argument("--log", type=int, default=1_000_000)
    p.add_argument("--db", help="database URL to use (generated into when empty)")
    p.add_argument("--keep", action="store_true", help="keep the generated temporary database")
    p.add_argument("--repeat", type=int, default=5, help="samples per scenario (naive opens: ≤2)")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        help="add a column measured with a candidate fix (see VARIANTS in board.py); "
        "join several with '+'; repeat the flag for several columns: " + ", ".join(VARIANTS),
    )
    p.add_argument("--no-naive", action="store_true", help="skip the naive model")
    p.add_argument(
        "--naive", action="store_true", help="child: measure the naive model only (needs --db)"
    )
    p.add_argument(
        "--paged", action="store_true", help="child: measure the paged model only (needs --db)"
    )
    p.add_argument("--json", help="also write every sample to this file")
    p.add_argument("--json-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.child = "naive" if args.naive else "paged" if args.paged else None
    for group in args.variant:
        for v in group.split("+"):
            if v not in VARIANTS:
                p.error(f"unknown variant {v!r}; known: {', '.join(VARIANTS)}")
    if args.child:
        if not args.db:
            p.error("--child needs --db")
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
