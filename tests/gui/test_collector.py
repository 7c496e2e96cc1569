"""Cycles are collected on the GUI thread by a timer, not in whichever thread allocates."""

from __future__ import annotations

import gc
import weakref

import pytest
from pytestqt.qtbot import QtBot

from widgets.collector import GuiThreadCollector

pytestmark = pytest.mark.gui


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


def test_collector_takes_over_from_the_interpreter(qtbot: QtBot) -> None:
    was_enabled = gc.isenabled()
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        node = _Node()
        gone = weakref.ref(node)
        del node
        qtbot.waitUntil(lambda: gone() is None, timeout=2000)
    finally:
        collector.stop()
    # stopping gives collection back as it was: off here, as the suite keeps it
    assert gc.isenabled() is was_enabled
