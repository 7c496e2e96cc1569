"""Paged lists show only the newest read: a slower, older read that lands late is dropped.

Each test holds one real query back in its reader thread (a wrapped service or query function
waits on a ``threading.Event`` after it has read the database, so its answer is as old as that
moment), asks for a newer read the way an operator does — a new search or filter, or a new
fax or warning arriving while the next page is on its way — and checks what the list shows
while the old read is held and after it has landed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

import widgets.fax.pane
import widgets.warnings.pane
from console.app import AppContext, build_context
from console.dispatch_data import call_page, contact_page
from console.domain import CallOutcome, ContactDraft, DialResult, PhoneNumber
from console.domain.warnings import WarningDraft
from console.timeutil import utcnow
from tests.gui.conftest import OPERATOR, Seeded, settle
from tests.gui.fax_screenshot import received_tiff
from widgets.dispatch import DispatchPane
from widgets.fax import FaxPane
from widgets.warnings.pane import WarningsPane

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

HOLD_S = 20.0  # a held read gives up after this long (the test has failed by then)


class Held:
    """Wraps a query: the first call that ``when`` picks reads, then waits for :attr:`release`.

    Every other call runs straight through. :attr:`order` records in which order calls
    returned: ``"held"``, ``"newer"`` (a call made while the held one waited) or ``"other"``.
    """

    def __init__(self, fn: Callable[..., Any], when: Callable[..., bool]) -> None:
        self._fn = fn
        self._when = when
        self._armed = True
        self._lock = threading.Lock()
        self.holding = threading.Event()  # the held call has read and waits
        self.release = threading.Event()
        self.returned = threading.Event()  # the held call has returned its (old) answer
        self.calls = 0
        self.order: list[str] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
            hold = self._armed and self._when(*args, **kwargs)
            if hold:
                self._armed = False
            newer = not hold and self.holding.is_set() and not self.returned.is_set()
        value = self._fn(*args, **kwargs)
        if not hold:
            with self._lock:
                self.order.append("newer" if newer else "other")
            return value
        self.holding.set()
        self.release.wait(HOLD_S)
        with self._lock:
            self.order.append("held")
        self.returned.set()
        return value


def column(table: QTableWidget, col: int) -> list[str]:
    texts = []
    for row in range(table.rowCount()):
        item = table.item(row, col)
        texts.append(item.text() if item is not None else "")
    return texts


def landed_late(held: Held) -> bool:
    """True when a read asked for after the held one returned before it."""
    return "newer" in held.order[: held.order.index("held")]


def land(qtbot: QtBot, ctx: AppContext, held: Held) -> None:
    """Let the held read go and wait until its answer has reached the GUI thread."""
    held.release.set()
    qtbot.waitUntil(held.returned.is_set, timeout=10_000)
    settle(qtbot, ctx)
    qtbot.wait(50)


Hold = Callable[[Held], Held]


@pytest.fixture
def holds() -> Iterator[Hold]:
    """Registers each held query; whatever is still held is let go when the test ends."""
    held: list[Held] = []

    def register(h: Held) -> Held:
        held.append(h)
        return h

    yield register
    for h in held:
        h.release.set()


@pytest.fixture
def ctx(sqlite_url: str, seeded: Seeded) -> Iterator[AppContext]:
    """A seat whose bus carries only what the test writes (no change feed, no devices)."""
    context = build_context(
        sqlite_url, operator=OPERATOR, monitor_interval_ms=3_600_000, watch=False, devices=False
    )
    yield context
    context.close()


# --------------------------------------------------------------------------- 传真 inbox


def receive_fax(ctx: AppContext, sender: str) -> int:
    page = Image.new("1", (1728, 300), 1)
    ImageDraw.Draw(page).line((100, 100, 1600, 100), fill=0, width=5)
    return ctx.services.fax.receive("system", "传真1", received_tiff([page]), sender).id


def test_fax_inbox_drops_a_next_page_that_lands_after_the_newer_first_page(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch, holds: Hold
) -> None:
    monkeypatch.setattr(widgets.fax.pane, "PAGE", 3)
    for n in range(1, 5):
        receive_fax(ctx, f"0431-8000000{n}")
    pane = FaxPane(ctx)
    qtbot.addWidget(pane)
    inbox = pane.inbox
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 3, timeout=10_000)
    settle(qtbot, ctx)
    assert column(inbox.table, 1) == ["0431-80000004", "0431-80000003", "0431-80000002"]
    assert inbox.more_button.isVisibleTo(pane)

    held = holds(Held(ctx.services.fax.inbox, lambda **kw: kw.get("before_id") is not None))
    monkeypatch.setattr(ctx.services.fax, "inbox", held)
    inbox.more_button.click()  # the next page (0431-80000001) is read, then held back
    qtbot.waitUntil(held.holding.is_set, timeout=10_000)

    receive_fax(ctx, "0431-80000005")  # announced on the bus: the inbox reads its first page
    qtbot.waitUntil(lambda: column(inbox.table, 1)[:1] == ["0431-80000005"], timeout=10_000)
    assert not held.returned.is_set()  # the newer page is shown while the older read is held
    newest = ["0431-80000005", "0431-80000004", "0431-80000003"]
    assert column(inbox.table, 1) == newest

    land(qtbot, ctx, held)
    assert landed_late(held)  # the older read finished after a newer one ...
    assert column(inbox.table, 1) == newest  # ... and was not appended to the newer page
    assert [f.sender for f in inbox.faxes] == newest
    assert inbox.more_button.isVisibleTo(pane)
    inbox.more_button.click()  # the next page follows the page shown, without a gap
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 5, timeout=10_000)
    assert column(inbox.table, 1)[3:] == ["0431-80000002", "0431-80000001"]
    assert not inbox.more_button.isVisibleTo(pane)
    settle(qtbot, ctx)


def test_fax_inbox_reloads_asked_while_a_page_is_read_make_one_more_read(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch, holds: Hold
) -> None:
    receive_fax(ctx, "0431-80000001")
    pane = FaxPane(ctx)
    qtbot.addWidget(pane)
    inbox = pane.inbox
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 1, timeout=10_000)
    settle(qtbot, ctx)

    held = holds(Held(ctx.services.fax.inbox, lambda **kw: True))
    monkeypatch.setattr(ctx.services.fax, "inbox", held)
    inbox.reload()
    qtbot.waitUntil(held.holding.is_set, timeout=10_000)
    for n in (2, 3, 4):  # three faxes, each announced while the first read is held
        receive_fax(ctx, f"0431-8000000{n}")
    assert held.calls == 1  # one read at a time

    land(qtbot, ctx, held)
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 4, timeout=10_000)
    settle(qtbot, ctx)
    assert held.calls == 2  # the announcements made one more read, not three
    assert column(inbox.table, 1) == [f"0431-8000000{n}" for n in (4, 3, 2, 1)]


# --------------------------------------------------------------------------- 预警


def warning(headline: str) -> WarningDraft:
    return WarningDraft(
        level=3,
        event="暴雨",
        headline=headline,
        expires=utcnow() + timedelta(hours=12),
        area_codes=("220102",),
        onset=utcnow() - timedelta(minutes=5),
        category="Met",
    )


def test_warnings_list_drops_a_next_page_that_lands_after_the_newer_first_page(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch, holds: Hold
) -> None:
    monkeypatch.setattr(widgets.warnings.pane, "PAGE", 3)
    for n in range(1, 5):
        ctx.services.warnings.create(OPERATOR, warning(f"暴雨黄色预警 {n}"))
    pane = WarningsPane(ctx)
    qtbot.addWidget(pane)
    qtbot.waitUntil(lambda: pane.table.rowCount() == 3, timeout=10_000)
    settle(qtbot, ctx)
    assert column(pane.table, 3) == ["暴雨黄色预警 4", "暴雨黄色预警 3", "暴雨黄色预警 2"]

    held = holds(Held(ctx.services.warnings.page, lambda **kw: kw.get("before_id") is not None))
    monkeypatch.setattr(ctx.services.warnings, "page", held)
    pane.more_button.click()  # the next page (预警 1) is read, then held back
    qtbot.waitUntil(held.holding.is_set, timeout=10_000)

    ctx.services.warnings.create(OPERATOR, warning("暴雨黄色预警 5"))  # "warnings" announced
    newest = ["暴雨黄色预警 5", "暴雨黄色预警 4", "暴雨黄色预警 3"]
    qtbot.waitUntil(lambda: column(pane.table, 3) == newest, timeout=10_000)
    assert not held.returned.is_set()

    land(qtbot, ctx, held)
    assert landed_late(held)
    assert column(pane.table, 3) == newest
    assert [w.headline for w in pane.warnings] == newest
    assert pane.more_button.isVisibleTo(pane)


# --------------------------------------------------------------------------- 调度


@pytest.fixture
def dispatch(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], DispatchPane]]:
    panes: list[DispatchPane] = []

    def make() -> DispatchPane:
        pane = DispatchPane(ctx, incident_provider=lambda: None)
        qtbot.addWidget(pane)
        pane.resize(700, 700)
        pane.show()
        qtbot.waitExposed(pane)
        panes.append(pane)
        return pane

    yield make
    settle(qtbot, ctx)


def test_contacts_search_shows_the_newest_search_when_an_older_one_lands_late(
    qtbot: QtBot,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    dispatch: Callable[[], DispatchPane],
    holds: Hold,
) -> None:
    for name, unit, number in (("王某", "县应急局", "8001"), ("李某", "县水利局", "8002")):
        draft = ContactDraft(name=name, unit=unit, phones=(PhoneNumber("办公", number),))
        ctx.services.contacts.add(OPERATOR, draft)
    held = holds(Held(contact_page, lambda _services, text, *_a: text == "应急"))
    monkeypatch.setattr("widgets.dispatch.contacts.contact_page", held)
    tab = dispatch().contacts_tab
    qtbot.waitUntil(lambda: len(tab.contacts()) == 2, timeout=10_000)

    tab.search_edit.setText("应急")  # read (王某), then held back
    qtbot.waitUntil(held.holding.is_set, timeout=10_000)
    tab.search_edit.setText("水利")  # the operator typed on
    qtbot.waitUntil(lambda: [c.name for c in tab.contacts()] == ["李某"], timeout=10_000)
    assert not held.returned.is_set()

    land(qtbot, ctx, held)
    assert landed_late(held)
    assert [c.name for c in tab.contacts()] == ["李某"]  # not 王某, the answer to "应急"
    assert column(tab.table, 2) == ["李某"]


def test_call_history_filter_shows_the_newest_filter_when_an_older_read_lands_late(
    qtbot: QtBot,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    dispatch: Callable[[], DispatchPane],
    holds: Hold,
) -> None:
    for number, outcome in (("8001", CallOutcome.ANSWERED), ("8002", CallOutcome.NO_ANSWER)):
        ctx.services.calls.record_outgoing(
            OPERATOR, number, device="pbx", result=DialResult(number, outcome)
        )
    held = holds(Held(call_page, lambda *_a, outcome=None, **_kw: outcome is None))  # 全部通话
    monkeypatch.setattr("widgets.dispatch.history.call_page", held)
    tab = dispatch().history_tab
    qtbot.waitUntil(held.holding.is_set, timeout=10_000)

    tab.filter_combo.setCurrentIndex(tab.filter_combo.findData(CallOutcome.ANSWERED.value))
    qtbot.waitUntil(lambda: [r.call.number for r in tab.rows()] == ["8001"], timeout=10_000)
    assert not held.returned.is_set()

    land(qtbot, ctx, held)
    assert landed_late(held)
    assert [r.call.number for r in tab.rows()] == ["8001"]  # not both calls (全部通话)
    assert column(tab.table, 2) == ["8001"]
    assert column(tab.table, 4) == ["已接通"]
