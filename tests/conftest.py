"""Shared fixtures: a camera emulator on loopback and a config entry pointing at it."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.helpers.device_registry import format_mac
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

# Import the integration at collection time: otherwise `custom_components` resolves to phcc's own folder.
from custom_components.cgi_camera.const import DOMAIN
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from tests.emulator import Profile

# Under pytest-xdist (scripts/test runs the tests on every CPU) the slowest modules go first, the slowest of them
# first, so that the last tests handed out are short ones and the workers finish together; the scheduler hands tests
# out in collection order, one at a time (scripts/test: --maxschedchunk 1). Measured on 2 cores: the outage tests of
# test_real_hass take about a minute, the browser walk 46 s, the fuzz targets 12 s each.
SLOW_FIRST = (
    "tests/e2e/test_real_hass.py",
    "tests/e2e/test_browser_flow.py",
    "tests/e2e/test_live_view_e2e.py",
    "tests/e2e/test_repairs_e2e.py",
    "tests/e2e/test_demo.py",
    "tests/e2e/test_browser_search.py",
    "tests/e2e/",
    "tests/api/test_fuzz.py",
    "tests/test_motion_faults.py",
)

USERNAME = "admin"
PASSWORD = "s3cr3t&pw"
MAC = "00:2a:2a:12:34:56"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On a pytest-xdist worker, put the SLOW_FIRST modules first, in that order (a serial run keeps file order)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next(
            (i for i, slow in enumerate(SLOW_FIRST) if path.startswith(slow)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)  # stable: each module keeps its own order


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load custom_components/cgi_camera (only in tests that run Home Assistant)."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return snapshot assertion fixture with the Home Assistant extension."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def emulator_config(emulator_profile: Profile) -> EmulatorConfig:
    """Return the emulator's configuration; override in a module or parametrize indirectly."""
    return EmulatorConfig(
        username=USERNAME, password=PASSWORD, mac=MAC, profile=emulator_profile
    )


@pytest.fixture
async def emulator(
    emulator_config: EmulatorConfig, socket_enabled: None
) -> AsyncGenerator[CameraEmulator]:
    """Start a camera emulator on a free loopback port (sockets are allowed for loopback only)."""
    emu = CameraEmulator(emulator_config)
    await emu.start(host="127.0.0.1", port=0)
    try:
        yield emu
    finally:
        await emu.stop()


def entry_for(emu: CameraEmulator, **options: Any) -> MockConfigEntry:
    """Return a config entry for `emu` (not yet added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=emu.config.device_id,
        unique_id=format_mac(emu.config.mac),
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: emu.port,
            CONF_USERNAME: emu.config.username,
            CONF_PASSWORD: emu.config.password,
        },
        options=options,
    )


@pytest.fixture
def config_entry(emulator: CameraEmulator) -> MockConfigEntry:
    """Return a config entry for the emulator."""
    return entry_for(emulator)


async def motion_ready(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until a loaded entry's live motion, detected in the background, has added its sensors (or none)."""
    if entry.state is ConfigEntryState.LOADED:
        async with asyncio.timeout(30):
            await entry.runtime_data.motion.ready.wait()
        await hass.async_block_till_done()


@pytest.fixture
def setup_integration(
    hass: HomeAssistant,
) -> Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]:
    """Return a function that adds and sets up an entry, then waits for it to settle."""

    async def _setup(entry: MockConfigEntry) -> MockConfigEntry:
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await motion_ready(hass, entry)
        return entry

    return _setup


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> AsyncGenerator[MockConfigEntry]:
    """Set up the integration against the emulator; unload it afterwards so no task lingers."""
    await setup_integration(config_entry)
    yield config_entry
    if (
        hass.config_entries.async_get_entry(config_entry.entry_id)
        and config_entry.state.recoverable
    ):
        await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()


# Firmware profiles -------------------------------------------------------------------------------------------------
@pytest.fixture
def emulator_profile() -> Profile:
    """The emulator's firmware profile (tests.emulator.PROFILES); `emulator_config` builds the camera on it.

    Run a module or test on other firmware with `@pytest.mark.parametrize("emulator_profile", ["spec",
    "sparse-query"])`; a module that overrides `emulator_config` passes it on as `profile=emulator_profile`.
    """
    return "spec"
