"""Benchmark fixtures: no asyncio debug mode (it would distort every figure), a fleet of emulated cameras."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.bench.fleet import Fleet
from tests.bench.report import REPO, REPORT

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Override phcc's fixture: asyncio debug mode slows every callback and is off in a real Home Assistant.

    Also give the loop the clock a real Home Assistant gives it (homeassistant.runner binds the built-in
    time.monotonic as loop.time); phcc's is a Python function that freezegun can patch, called on every timer.
    """
    loop = asyncio.get_running_loop()
    loop.set_debug(False)
    loop.time = time.monotonic  # type: ignore[method-assign]


@pytest.fixture
async def fleet_factory(
    socket_enabled: None,
) -> AsyncGenerator[Callable[..., Awaitable[Fleet]]]:
    """Return a function that starts a fleet process; every fleet is stopped afterwards."""
    fleets: list[Fleet] = []

    async def _start(**kwargs: object) -> Fleet:
        fleet = await Fleet.start(**kwargs)  # type: ignore[arg-type]
        fleets.append(fleet)
        return fleet

    yield _start
    for fleet in fleets:
        await fleet.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the table of figures and save it under .cache/bench."""
    if not REPORT.rows:
        return
    terminalreporter.section("benchmark")
    terminalreporter.write_line(REPORT.text())
    saved = REPORT.save().relative_to(REPO)
    terminalreporter.write_line(f"\nsaved: {saved} (and results.json beside it)")
