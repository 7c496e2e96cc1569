"""An RTSP camera simulator: moving test pictures as H.264 over RTSP (Debian's gst-rtsp-server).

Run it with the SYSTEM python, which has the GObject bindings (``python3-gi``,
``gir1.2-gst-rtsp-server-1.0`` and the GStreamer plugins; the project's venv has none)::

    /usr/bin/python3 devices/sim/rtsp_camera.py --port 8554 --streams 4

It serves ``rtsp://127.0.0.1:PORT/cam1`` … ``/camN`` (each a different test pattern with the
running time burnt in), prints ``LISTENING rtsp 127.0.0.1:PORT`` once it accepts connections,
and runs until SIGTERM or SIGINT. ``--port 0`` lets the system choose a free port. Streams
start when a client asks (``DESCRIBE``) and are shared by all clients of one mount.

Standalone on purpose: it imports nothing from this project, so any python with ``gi`` runs it.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

# Patterns that move (a still picture would hide a frozen stream).
PATTERNS = ("ball", "smpte", "pinwheel", "spokes", "circular", "zone-plate", "bar", "snow")


def pipeline(n: int, width: int, height: int, fps: int, gop: int) -> str:
    """The gst-launch description of mount ``/cam<n>`` (its payloader is ``pay0``)."""
    pattern = PATTERNS[(n - 1) % len(PATTERNS)]
    extra = {
        "smpte": " horizontal-speed=4",
        "pinwheel": " horizontal-speed=3",
        "spokes": " horizontal-speed=2",
        "circular": " horizontal-speed=2",
        "zone-plate": " kx2=20 ky2=20 kt=1",
        "bar": " horizontal-speed=5",
    }.get(pattern, "")
    return (
        f"( videotestsrc is-live=true pattern={pattern}{extra} "
        f"! video/x-raw,width={width},height={height},framerate={fps}/1 "
        f'! timeoverlay halignment=right valignment=bottom font-desc="Sans 18" '
        f'! textoverlay text="CAM {n}" halignment=left valignment=bottom font-desc="Sans 18" '
        f"! videoconvert ! video/x-raw,format=I420 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} bitrate=800 "
        f"! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def main(argv: list[str] | None = None) -> int:
    """Serve the test streams until told to stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8554, help="RTSP port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--streams", type=int, default=4, help="mounts /cam1 … /camN")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--gop", type=int, default=25, help="frames between key frames")
    args = parser.parse_args(argv)

    import gi  # type: ignore[import-not-found]  # the system python has it, the venv not

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]

    Gst.init(None)
    server: Any = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for n in range(1, args.streams + 1):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(pipeline(n, args.width, args.height, args.fps, args.gop))
        factory.set_shared(True)
        mounts.add_factory(f"/cam{n}", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on {args.host}:{args.port}", file=sys.stderr, flush=True)
        return 2
    loop = GLib.MainLoop()

    def stop(*_: object) -> bool:
        loop.quit()
        return False

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    print(f"LISTENING rtsp {args.host}:{server.get_bound_port()}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
