"""A fleet of emulated cameras in a process of its own, so the camera's CPU is not the benchmark's.

`python -m tests.bench.fleet --count N --latency L --connections C` prints one JSON line {"ports": [...]} once every
camera listens, then answers JSON commands on stdin, one a line, each with one JSON line:
  {"cmd": "log"}            -> {"log": [[index, path, {params}, time], ...]} every request since the last clear
  {"cmd": "clear"}          -> {"ok": true}
  {"cmd": "streams"}        -> {"max": [...]} the most MJPEG connections each camera served at once since the clear
  {"cmd": "rtsp"}           -> {"max": [...], "total": [...]} the most RTSP sessions playing at once, and RTSP
                               PLAY requests, per camera (since the start)
  {"cmd": "stats"}          -> {"connections": [...], "cpu": s} connections each camera accepted since it started, and
                               the fleet process's CPU seconds so far (what serving costs the "camera")
End of input stops the fleet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from tests.emulator import CameraEmulator, EmulatorConfig

USERNAME = "admin"
PASSWORD = "bench-pass"


def mac_of(index: int) -> str:
    """Return the MAC of camera `index` (distinct, Hankvision prefix)."""
    return f"00:2a:2a:be:{index // 256:02x}:{index % 256:02x}"


async def _serve(args: argparse.Namespace) -> None:
    cameras = [
        CameraEmulator(
            EmulatorConfig(
                username=USERNAME,
                password=PASSWORD,
                mac=mac_of(index),
                serial=f"BENCH{index:07d}",
                latency=args.latency,
                max_connections=args.connections,
                mjpeg_fps=args.mjpeg_fps,
                mjpeg_framing=args.mjpeg_framing,
                jpgmulreq=index % 2 == 0 or not args.alternate_jpgmulreq,
                onvif=args.onvif,
            )
        )
        for index in range(args.count)
    ]
    for camera in cameras:
        await camera.start(host="127.0.0.1", port=0)
    print(json.dumps({"ports": [camera.port for camera in cameras]}), flush=True)
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            command = json.loads(line)["cmd"]
            if command == "log":
                reply: dict[str, object] = {
                    "log": [
                        [index, r.path, r.params, r.time]
                        for index, camera in enumerate(cameras)
                        for r in camera.requests
                    ]
                }
            elif command == "clear":
                for camera in cameras:
                    camera.clear_requests()
                    camera.max_stream_connections = camera.stream_connections
                reply = {"ok": True}
            elif command == "stats":
                reply = {
                    "connections": [camera.connections_accepted for camera in cameras],
                    "cpu": time.process_time(),
                }
            elif command == "streams":
                reply = {"max": [camera.max_stream_connections for camera in cameras]}
            elif command == "rtsp":
                stats = [camera.rtsp.stats for camera in cameras if camera.rtsp]
                reply = {
                    "max": [s.max_playing for s in stats],
                    "total": [
                        sum(method == "PLAY" for method, _ in s.requests) for s in stats
                    ],
                }
            else:
                reply = {"error": f"unknown command {command!r}"}
            print(json.dumps(reply), flush=True)
    finally:
        for camera in cameras:
            await camera.stop()


def main() -> None:
    """Parse arguments and serve until stdin closes."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.fleet")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--mjpeg-fps", type=float, default=25.0)
    parser.add_argument(
        "--mjpeg-framing", choices=("repeated", "multipart"), default="repeated"
    )
    parser.add_argument(
        "--onvif",
        action="store_true",
        help="each camera serves ONVIF events on a port of its own",
    )
    parser.add_argument(
        "--alternate-jpgmulreq",
        action="store_true",
        help="odd-numbered cameras have no /jpgmulreq",
    )
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()


class Fleet:
    """The benchmark's side of a fleet process."""

    def __init__(self, process: asyncio.subprocess.Process, ports: list[int]) -> None:
        """Wrap a started fleet process."""
        self.process = process
        self.ports = ports

    @classmethod
    async def start(
        cls,
        count: int,
        latency: float,
        connections: int,
        mjpeg_fps: float = 25.0,
        mjpeg_framing: str = "repeated",
        *,
        alternate_jpgmulreq: bool = False,
        onvif: bool = False,
    ) -> Fleet:
        """Start `count` cameras in a new process; return once they listen."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bench.fleet",
            f"--count={count}",
            f"--latency={latency}",
            f"--connections={connections}",
            f"--mjpeg-fps={mjpeg_fps}",
            f"--mjpeg-framing={mjpeg_framing}",
            *(["--alternate-jpgmulreq"] if alternate_jpgmulreq else []),
            *(["--onvif"] if onvif else []),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1
            << 28,  # a log of minutes of polling by many cameras is one long line
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the emulator fleet did not start")
        return cls(process, list(json.loads(line)["ports"]))

    async def call(self, command: str) -> dict[str, Any]:
        """Send one command and return its reply."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": command}).encode() + b"\n")
        await self.process.stdin.drain()
        reply: dict[str, Any] = json.loads(await self.process.stdout.readline())
        return reply

    async def clear(self) -> None:
        """Forget the requests and stream peaks seen so far."""
        await self.call("clear")

    async def log_by_camera(self) -> dict[int, list[tuple[str, str]]]:
        """Return (path, sorted query) of each request since the last clear, per camera index."""
        requests: dict[int, list[tuple[str, str]]] = {}
        for camera, path, params, _ in (await self.call("log"))["log"]:
            query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
            requests.setdefault(camera, []).append((path, query))
        return requests

    async def log(self) -> list[tuple[str, str]]:
        """Return (path, sorted query) of each request since the last clear, of every camera."""
        return [
            r for requests in (await self.log_by_camera()).values() for r in requests
        ]

    async def stop(self) -> None:
        """End the fleet (closing stdin stops it)."""
        if self.process.returncode is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
