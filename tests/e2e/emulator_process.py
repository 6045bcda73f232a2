"""`python -m tests.emulator` as a process of its own, for the end-to-end tests (hass sees a real camera address)."""

from __future__ import annotations

import asyncio
import socket
import sys
from typing import TYPE_CHECKING

from tests.e2e.hass import REPO

if TYPE_CHECKING:
    import aiohttp


def free_port() -> int:
    """Return a loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """The emulator on a fixed loopback port, stoppable and restartable; `args` are more command-line options."""

    def __init__(
        self,
        port: int,
        *args: str,
        user: str,
        password: str,
        mac: str,
        profile: str = "spec",
    ) -> None:
        """Prepare (but do not start) the process."""
        self.port = port
        self.args = args
        self.user = user
        self.password = password
        self.mac = mac
        self.profile = profile
        # The ONVIF events port the emulator chose, when it serves them (`--onvif-port 0`).
        self.onvif_port: int | None = None
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start and wait for the line saying it listens (after the ONVIF port's, when it serves ONVIF)."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.emulator",
            "--port",
            str(self.port),
            "--user",
            self.user,
            "--password",
            self.password,
            "--profile",
            self.profile,
            "--mac",
            self.mac,
            *self.args,
            cwd=REPO,
            # The emulator prints only its start-up lines, so the pipe never fills.
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        async with asyncio.timeout(30):
            while line := (await self.process.stdout.readline()).decode():
                if line.startswith("ONVIF events on port "):
                    self.onvif_port = int(line.rsplit(" ", 1)[1])
                if line.startswith("Camera emulator listening"):
                    return
        raise RuntimeError("the emulator did not start")

    async def stop(self) -> None:
        """End the process (a camera switched off)."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()

    async def motion(self, session: aiohttp.ClientSession, *, on: bool) -> str:
        """Start or end motion on channel 1 with the emulator's control request; return its answer."""
        async with session.get(
            f"http://127.0.0.1:{self.port}/emulator/motion",
            params={"channel": "1", "on": "1" if on else "0"},
        ) as response:
            return (await response.text()).strip()
