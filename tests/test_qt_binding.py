"""Guards against a Qt binding that corrupts reference counts.

PySide6 6.12.0 drops one reference to ``True`` (or ``None``) per Python-side signal emit; a
console that runs for a shift emits millions and aborts with ``bool_dealloc``. The pinned
binding must not do that.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    carried = Signal(object)
    said = Signal(str)


def test_signal_emit_keeps_reference_counts_of_singletons() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.carried.connect(received.append)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(5000):
        emitter.carried.emit(i)
        emitter.said.emit("x")
    assert len(received) == 5000
    # Small drift comes from the interpreter itself; a leaking binding loses thousands.
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(None) - none_before) < 50
