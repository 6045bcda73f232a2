"""Run a camera emulator from the command line: `python -m tests.emulator --port 8080`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

from .config import PROFILES, EmulatorConfig
from .rtsp import LAYOUTS
from .server import CameraEmulator
from .state import TIME_ZONES


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.emulator", description="Emulated CGI/XML IP camera"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--auth", choices=("basic", "digest", "none"), default="basic")
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--ptz", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--sd", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--wifi", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--mac", default="00:2a:2a:12:34:56")
    parser.add_argument(
        "--framing",
        choices=("spec_mixed", "all_lf", "goahead_mixed", "crlf"),
        default="spec_mixed",
    )
    parser.add_argument(
        "--mjpeg-framing", choices=("repeated", "multipart"), default="repeated"
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="spec",
        help="firmware profile (docs/wire-decisions.md); it overrides the knobs it is about",
    )
    parser.add_argument(
        "--alarm-status",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="answer /cgi/getAlarmStatus",
    )
    parser.add_argument(
        "--onvif-port",
        type=int,
        default=None,
        help="serve ONVIF events on this port (0: a free one)",
    )
    parser.add_argument("--onvif-topic", choices=("cell", "alarm"), default="cell")
    parser.add_argument(
        "--onvif-enabled",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="NetProtocolInfo ONVIF: off, the ONVIF service does not run until a net_set switches it on",
    )
    parser.add_argument(
        "--time-zone",
        type=int,
        default=None,
        help="TimeZone in minutes east of UTC (default: this machine's, as an owner in the same place would set it)",
    )
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        help="seconds the camera's clock is ahead of the host's (negative: behind)",
    )
    parser.add_argument(
        "--rtsp",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve each channel's main and sub stream over RTSP (digest auth)",
    )
    parser.add_argument(
        "--rtsp-port", type=int, default=0, help="the RTSP port (0: a free one)"
    )
    parser.add_argument(
        "--rtsp-layout",
        choices=tuple(LAYOUTS),
        default="h264major",
        help="the RTSP path layout",
    )
    parser.add_argument(
        "--motion-every",
        type=float,
        default=0.0,
        help="switch motion detection on and see motion for 3 s every N seconds",
    )
    return parser.parse_args()


def _time_zone(minutes: int | None) -> int:
    """The given TimeZone, else this machine's offset when the document lists it, else the document's 480."""
    if minutes is None:
        minutes = time.localtime().tm_gmtoff // 60
    return minutes if minutes in TIME_ZONES else 480


async def _main(args: argparse.Namespace) -> None:
    config = EmulatorConfig(
        username=args.user,
        password=args.password,
        auth=args.auth,
        channels=args.channels,
        ptz=args.ptz,
        sd_card=args.sd,
        wifi=args.wifi,
        latency=args.latency,
        mac=args.mac,
        framing=args.framing,
        mjpeg_framing=args.mjpeg_framing,
        profile=args.profile,
        alarm_status=args.alarm_status,
        onvif=args.onvif_port is not None,
        onvif_port=args.onvif_port or 0,
        onvif_topic=args.onvif_topic,
        time_zone=_time_zone(args.time_zone),
        rtsp=args.rtsp,
        rtsp_port=args.rtsp_port,
        rtsp_layout=args.rtsp_layout,
    )
    emu = CameraEmulator(config)
    emu.state.net_protocol.data["ONVIF"] = int(args.onvif_enabled)
    emu.state.time_offset = args.clock_offset
    zone = (
        time.localtime().tm_gmtoff // 60 if args.time_zone is None else args.time_zone
    )
    if zone in TIME_ZONES:
        emu.state.time_info.data["TimeZone"] = zone
    await emu.start(host=args.host, port=args.port)
    if args.motion_every:
        emu.motion.start_periodic(args.motion_every)
    if emu.onvif is not None:
        print(f"ONVIF events on port {emu.onvif.port}", flush=True)
    if emu.rtsp is not None:
        print(f"RTSP on port {emu.rtsp.port}", flush=True)
    print(
        f"Camera emulator listening on {emu.url} (user {config.username!r}, auth {config.auth}, "
        f"profile {config.profile})",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main() -> None:
    """Parse arguments and serve until Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(_parse()))


if __name__ == "__main__":
    main()
