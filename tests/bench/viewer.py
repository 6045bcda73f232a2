"""An MJPEG viewer in a process of its own, so reading the stream is not counted as Home Assistant's CPU.

`BENCH_VIEWER_TOKEN=T python -m tests.bench.viewer URL --seconds S` reads the multipart stream at URL (a browser's part of the
work) and prints two JSON lines: {"started": true} at the first complete part, then, after S seconds more,
{"fps": ..., "frames": ...} counted from that first part on (frames: the parts after the first). The parts are
split at the boundary the response's Content-Type names.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

import aiohttp


async def _view(url: str, seconds: float, token: str) -> None:
    stamps: list[float] = []
    buffer = bytearray()
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(url) as response,
    ):
        # The proxy's own boundary (Home Assistant's mjpeg integration passes the camera's through).
        name = response.headers["Content-Type"].partition("boundary=")[2].strip()
        boundary = f"--{name}\r\n".encode()
        while not stamps or stamps[-1] - stamps[0] < seconds:
            chunk = await asyncio.wait_for(response.content.readany(), 10)
            if not chunk:
                raise RuntimeError("the proxied stream ended")
            buffer += chunk
            while (start := buffer.find(boundary)) >= 0 and (
                end := buffer.find(boundary, start + len(boundary))
            ) >= 0:
                # A part is complete once the next boundary starts.
                stamps.append(time.perf_counter())
                del buffer[:end]
                if len(stamps) == 1:
                    print(json.dumps({"started": True}), flush=True)
    # The first part (counted as the start) is the duplicate of the first frame.
    frames = len(stamps) - 1
    fps = frames / (stamps[-1] - stamps[0])
    print(json.dumps({"fps": fps, "frames": frames}), flush=True)


class Viewer:
    """The benchmark's side of a viewer process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        """Wrap a started viewer process."""
        self.process = process

    @classmethod
    async def start(cls, url: str, seconds: float, token: str) -> Viewer:
        """Start a viewer of `url`; return once it received its first part."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bench.viewer",
            url,
            f"--seconds={seconds}",
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "BENCH_VIEWER_TOKEN": token},
        )
        viewer = cls(process)
        assert json.loads(await viewer._line()) == {"started": True}
        return viewer

    async def _line(self) -> bytes:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line:
            await self.process.wait()
            raise RuntimeError("the viewer ended without a result")
        return line

    async def result(self) -> tuple[float, int]:
        """Return (frames per second, frames) once the viewer is done."""
        result = json.loads(await self._line())
        await self.process.wait()
        return float(result["fps"]), int(result["frames"])


def main() -> None:
    """Parse arguments and view the stream."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.viewer")
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(_view(args.url, args.seconds, os.environ["BENCH_VIEWER_TOKEN"]))


if __name__ == "__main__":
    main()
