"""Fuzzing the CAP 1.2 import: damaged real alerts are imported or refused with reasons.

Nothing else may happen: no exception escapes :func:`console.cap.check` but
:class:`~console.cap.CapRefused`, and the warnings service turns every outcome into a report
(a refused alert leaves no row behind).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console import cap
from console.services import Services
from tests.fuzz._helpers import mutated

DATA = Path(__file__).parents[1] / "data" / "cap"
SEEDS = [p.read_bytes() for p in sorted((DATA / "examples").iterdir())] + [
    p.read_bytes() for p in sorted((DATA / "negative").iterdir())
]
ODD_TIME = (DATA / "examples" / "oasis_ex1_homeland_security_43b080713727.cap").read_bytes()


@given(document=st.one_of(mutated(SEEDS), st.binary(max_size=80)))
def test_check_accepts_or_refuses_with_reasons(document: bytes) -> None:
    reasons: list[str] = []
    try:
        alert = cap.check(document)
    except cap.CapRefused as exc:
        reasons = exc.reasons
    else:
        assert alert.identifier
        assert alert.scope in ("Public", "Restricted", "Private")
        return
    assert reasons
    assert all(isinstance(r, str) and r for r in reasons)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    s = Services.open(f"sqlite:///{tmp_path_factory.mktemp('capfuzz') / 'db.sqlite'}")
    try:
        yield s
    finally:
        s.close()


@given(document=mutated(SEEDS))
def test_import_reports_every_outcome(services: Services, document: bytes) -> None:
    before = len(services.warnings.page(limit=1000))
    report = services.warnings.import_cap("fuzz", document)
    after = len(services.warnings.page(limit=1000))
    if report.accepted:
        assert report.warning is not None
        assert after == before + 1
    else:
        assert report.reasons
        assert after == before


@pytest.mark.parametrize(
    "sent", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1899-12-31T00:00:00+00:00"]
)
def test_times_outside_the_calendar_are_refused(sent: str) -> None:
    data = ODD_TIME.replace(b"2003-04-02T14:39:01-05:00", sent.encode())
    with pytest.raises(cap.CapRefused, match="time out of range"):
        cap.check(data)
