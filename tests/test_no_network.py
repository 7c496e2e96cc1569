"""No network, ever: the console with demo data in a network namespace, traced for connections.

The program (with its demo device simulators) runs in a network namespace of its own where only
the loopback interface exists (``unshare --net``), under ``strace -f``, and must still start and
paint its window; every address it tried to reach is then checked: Unix sockets, netlink and
loopback are allowed, and so are the configured devices (the demo's are simulators on
loopback) — anything else fails the test.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests._services import run_with_timeout

_FAMILY = re.compile(r"\{sa_family=(AF_[A-Z0-9]+)")
_INET = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_INET6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')
_LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK", "AF_UNSPEC"}


def _is_local(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def outside_connections(trace: str, allowed: Iterable[str] = ()) -> list[str]:
    """The lines of an ``strace -e trace=connect,sendto`` log that address the outside world.

    Args:
        trace: the strace output.
        allowed: extra addresses (configured devices, the database server) that may be reached.
    """
    allowed_set = set(allowed)
    bad = []
    for line in trace.splitlines():
        family = _FAMILY.search(line)
        if family is None or family.group(1) in _LOCAL_FAMILIES:
            continue
        match = _INET.search(line) or _INET6.search(line)
        if family.group(1) in {"AF_INET", "AF_INET6"} and match is not None:
            address = match.group(1)
            if _is_local(address) or address in allowed_set:
                continue
        bad.append(line)
    return bad


def connect_calls(trace: str) -> int:
    """How many connect() calls the trace shows (to see that the trace saw anything)."""
    return sum(1 for line in trace.splitlines() if re.search(r"\bconnect\(\d+, \{", line))


def test_outside_connections_reads_strace_lines() -> None:
    trace = "\n".join(
        [
            '101 connect(3, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X99"}, 110) = 0',
            "101 connect(4, {sa_family=AF_INET, sin_port=htons(4001), "
            'sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            "102 connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>',
            "102 connect(6, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0",
            "103 connect(7, {sa_family=AF_INET, sin_port=htons(53), "
            'sin_addr=inet_addr("10.0.0.2")}, 16) = -1 ENETUNREACH (Network is unreachable)',
            '103 sendto(8, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(443), '
            'sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), '
            "sin6_scope_id=0}, 28) = -1 ENETUNREACH",
            "104 connect(9, {sa_family=AF_INET, sin_port=htons(23), "
            'sin_addr=inet_addr("10.1.2.3")}, 16) = 0',
            "105 <... connect resumed>) = 0",
        ]
    )
    bad = outside_connections(trace, allowed=["10.1.2.3"])
    assert len(bad) == 2
    assert "10.0.0.2" in bad[0]
    assert "2001:db8::1" in bad[1]
    assert connect_calls(trace) == 6


def _can_unshare_net() -> str | None:
    """Why the namespace test cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root to create a network namespace (unshare --net)"
    for tool in ("unshare", "strace", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (installer/dev.sh installs strace)"
    probe = run_with_timeout(["unshare", "--net", "true"], 30, check=False)
    if probe.returncode != 0:
        return f"unshare --net is not permitted here: {probe.stderr.strip()}"
    return None


@pytest.mark.slow
@pytest.mark.gui
def test_demo_console_makes_no_outside_connection(xvfb: str, tmp_path: Path) -> None:
    """Demo data, a real window under Xvfb, only loopback, every connection attempt traced."""
    reason = _can_unshare_net()
    if reason:
        pytest.skip(reason)
    program = Path(sys.executable).parent / "duty-console"
    if not program.exists():
        pytest.skip("duty-console is not installed in this environment")
    screenshot = tmp_path / "screenshot.png"
    trace_file = tmp_path / "connect.log"
    env = {
        **os.environ,
        "DISPLAY": xvfb,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_DATA_HOME": str(tmp_path / "data"),  # a fresh demo database
        "QTWEBENGINE_DISABLE_SANDBOX": "1",  # root (the sandbox needs a normal user)
    }
    # A namespace with only `lo` (brought up: the demo's device simulators listen on it).
    script = (
        'ip link set lo up && test "$(ls /sys/class/net)" = lo && '
        'exec strace -f -qq -e trace=connect,sendto -o "$0" "$@"'
    )
    result = run_with_timeout(
        [
            "unshare",
            "--net",
            "--mount",
            "sh",
            "-c",
            # /sys must show the new namespace's interfaces, not the host's.
            f"mount -t sysfs sysfs /sys && {script}",
            trace_file,
            program,
            "--demo",
            "--screenshot",
            screenshot,
        ],
        180,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a painted window, not a blank frame
    trace = trace_file.read_text(errors="replace")
    assert connect_calls(trace) > 0  # the trace did see the program's sockets (X, simulators)
    assert outside_connections(trace) == []
