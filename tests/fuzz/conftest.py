"""Hypothesis profiles for the fuzz tests.

``ci`` (the default) is bounded and reproducible: few examples per test, no deadline (the
machine is shared), derandomized so a failure shows up again on the next run; the whole folder
takes under a minute. ``long`` is for a night's run, random and remembered (failing examples are
kept in ``.hypothesis/`` and tried first next time): ``DUTY_FUZZ=long .venv/bin/python -m pytest
tests/fuzz``, ``DUTY_FUZZ_EXAMPLES`` examples per test (default 5000). See README, "Fuzzing".
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_QUIET,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("DUTY_FUZZ_EXAMPLES", "5000")),
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=_QUIET,
)
PROFILE = os.environ.get("DUTY_FUZZ", "ci") or "ci"
settings.load_profile(PROFILE)


def examples(n: int) -> settings:
    """``n`` examples under ``ci`` (for the slower targets), the profile's number otherwise."""
    current = settings.default
    assert current is not None
    if PROFILE != "ci":
        return settings(current)
    return settings(current, max_examples=n)
