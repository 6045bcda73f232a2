"""Config flow, options flow, DHCP discovery and the WS-Discovery scan, against emulated cameras on loopback."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, patch

from aiohttp import web
from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import pytest_socket

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import scan
from custom_components.cgi_camera.api.wsdiscovery import Responder, probe
from custom_components.cgi_camera.const import (
    CONF_DEFAULT_STREAM,
    CONF_PTZ_WATCHDOG,
    CONF_RTSP_PORT,
    DEFAULT_FAST_INTERVAL,
    DEFAULT_SLOW_INTERVAL,
    DOMAIN,
)
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for
from tests.emulator import CameraEmulator, EmulatorConfig
from tests.emulator.wsdiscovery import (
    WsDiscoveryResponder,
    camera_reply,
    malformed_reply,
    other_device_reply,
)

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from custom_components.cgi_camera.api import CgiCamera

OTHER_MAC = "00:2a:2a:65:43:21"
JPEG_SOI = b"\xff\xd8"


@pytest.fixture(autouse=True)
def loopback_network(socket_enabled: None) -> None:
    """Allow connections to the whole 127.0.0.0/8, so emulators on 127.0.0.2... act as distinct hosts.

    After socket_enabled (which restores the real socket class, still guarded to 127.0.0.1 by phcc).
    """
    pytest_socket.socket_allow_hosts(["127.0.0.0/8", "::1"], allow_unix_socket=True)


@pytest.fixture(autouse=True)
def no_setup(request: pytest.FixtureRequest) -> Generator[None]:
    """Creating or reloading an entry must not set up the platforms (tested elsewhere), unless the test sets one up."""
    if "setup_integration" in request.fixturenames:
        yield
        return
    with (
        patch("custom_components.cgi_camera.async_setup_entry", return_value=True),
        patch("custom_components.cgi_camera.async_unload_entry", return_value=True),
    ):
        yield


@pytest.fixture(autouse=True)
def scan_targets() -> Generator[list[tuple[str, int]]]:
    """The WS-Discovery scan probes only the loopback responders a test adds (none by default), and briefly."""
    targets: list[tuple[str, int]] = []

    async def _probe(timeout: float) -> list[Responder]:
        return await probe(0.3, targets)

    with patch.object(scan, "probe", _probe):
        yield targets


@pytest.fixture
def port_80() -> Generator[dict[str, int]]:
    """DHCP reports only an address, so the flow asks port 80: map a host's port 80 to an emulator's real port."""
    ports: dict[str, int] = {}
    real = scan.CgiCamera

    def _camera(
        session: Any, host: str, port: int, *args: Any, **kwargs: Any
    ) -> CgiCamera:
        return real(
            session,
            host,
            ports.get(host, port) if port == 80 else port,
            *args,
            **kwargs,
        )

    with patch.object(scan, "CgiCamera", side_effect=_camera):
        yield ports


async def _start(config: EmulatorConfig, host: str) -> CameraEmulator:
    emu = CameraEmulator(config)
    await emu.start(host=host, port=0)
    return emu


@pytest.fixture
async def other_camera(socket_enabled: None) -> AsyncGenerator[CameraEmulator]:
    """A second camera (another MAC) on 127.0.0.2."""
    emu = await _start(
        EmulatorConfig(username=USERNAME, password=PASSWORD, mac=OTHER_MAC), "127.0.0.2"
    )
    yield emu
    await emu.stop()


async def _serve(host: str, status: int, text: str) -> AsyncGenerator[web.TCPSite]:
    async def _page(request: web.Request) -> web.Response:
        return web.Response(status=status, text=text, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    yield site
    await runner.cleanup()


@pytest.fixture
async def web_server(socket_enabled: None) -> AsyncGenerator[web.TCPSite]:
    """A web server that is not one of these cameras: every path answers an HTML page."""
    async for site in _serve(
        "127.0.0.5", 200, "<html><body>Router login</body></html>"
    ):
        yield site


@pytest.fixture
async def not_found_server(socket_enabled: None) -> AsyncGenerator[web.TCPSite]:
    """Any other web server: every path answers HTTP 404."""
    async for site in _serve(
        "127.0.0.6", 404, "<html><body>404 Not Found</body></html>"
    ):
        yield site


def _site_port(site: web.TCPSite) -> int:
    server = site._server  # aiohttp exposes the bound port only here
    assert server is not None
    return int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


def _suggested(result: Any, key: str) -> Any:
    """Return the suggested (or default) value of a form field."""
    for marker in result["data_schema"].schema:
        if marker == key:
            if marker.description and "suggested_value" in marker.description:
                return marker.description["suggested_value"]
            default = marker.default
            return default() if callable(default) else default
    raise KeyError(key)


def _user_input(emu: CameraEmulator, **overrides: Any) -> dict[str, Any]:
    return {
        CONF_HOST: emu.host,
        CONF_PORT: emu.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
    } | overrides


async def _connect_form(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "connect"
    return dict(result)


# --- user flow -----------------------------------------------------------------------------------------------------


async def test_user_flow_creates_entry_after_preview(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Manual entry validates DeviceInfo, shows the snapshot and creates the entry keyed by MAC."""
    result = await _connect_form(hass)
    assert _suggested(result, CONF_PORT) == 80
    assert _suggested(result, CONF_USERNAME) == "admin"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["model"] == emulator.config.device_id
    preview = placeholders["preview"]
    assert preview.startswith("![preview](/api/cgi_camera/preview/")
    url = preview.removeprefix("![preview](").removesuffix(")")

    client = await hass_client_no_auth()
    response = await client.get(url)
    assert response.status == 200
    assert response.content_type == "image/jpeg"
    assert (await response.read()).startswith(JPEG_SOI)
    assert (await client.get("/api/cgi_camera/preview/not-a-token")).status == 404

    # The camera still shows the factory OSD title: named "Camera" (Home Assistant's word, in its language).
    name = "Camera"
    assert _suggested(result, CONF_NAME) == name
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == name
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: emulator.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
    }
    assert result["result"].unique_id == MAC
    # The picture is gone once the flow is done.
    assert (await client.get(url)).status == 404


async def test_preview_dropped_when_flow_abandoned(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Closing the dialog at the confirm step forgets the picture."""
    result = await _connect_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator)
    )
    url = (
        result["description_placeholders"]["preview"]
        .removeprefix("![preview](")
        .removesuffix(")")
    )
    client = await hass_client_no_auth()
    assert (await client.get(url)).status == 200
    hass.config_entries.flow.async_abort(result["flow_id"])
    assert (await client.get(url)).status == 404

    # A second flow gets a fresh token from the view registered by the first.
    result = await _connect_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator)
    )
    second = (
        result["description_placeholders"]["preview"]
        .removeprefix("![preview](")
        .removesuffix(")")
    )
    assert second != url
    assert (await client.get(second)).status == 200


async def test_user_flow_without_preview(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """A camera that sends no picture can still be added; the confirm step says so."""
    result = await _connect_form(hass)
    with patch.object(
        scan.CgiCamera, "snapshot", side_effect=scan.CgiError("no Image.")
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(emulator)
        )
    assert result["step_id"] == "confirm"
    assert "No preview" in result["description_placeholders"]["preview"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("silent", "cannot_connect"),
        ("wrong_password", "invalid_auth"),
        ("web_page", "not_a_supported_camera"),
        ("http_404", "not_a_supported_camera"),
    ],
)
async def test_user_flow_errors_recover(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    web_server: web.TCPSite,
    not_found_server: web.TCPSite,
    case: str,
    error: str,
) -> None:
    """Each failure shows its error, keeps what the user typed, and the next good try succeeds.

    Any web server that is not one of these cameras (an HTML page, HTTP 404) is "not a supported camera".
    """
    result = await _connect_form(hass)
    bad = {
        "silent": _user_input(emulator, **{CONF_HOST: "127.0.0.9"}),
        "wrong_password": _user_input(emulator, **{CONF_PASSWORD: "wrong"}),
        "web_page": _user_input(
            emulator, **{CONF_HOST: "127.0.0.5", CONF_PORT: _site_port(web_server)}
        ),
        "http_404": _user_input(
            emulator,
            **{CONF_HOST: "127.0.0.6", CONF_PORT: _site_port(not_found_server)},
        ),
    }[case]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bad)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "connect"
    assert result["errors"] == {"base": error}
    assert _suggested(result, CONF_HOST) == bad[CONF_HOST]
    assert _suggested(result, CONF_PORT) == bad[CONF_PORT]
    assert _suggested(result, CONF_USERNAME) == USERNAME

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator)
    )
    assert result["step_id"] == "confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("side_effect", "error"),
    [
        (RuntimeError("boom"), "unknown"),
        (scan.CgiError("server failed"), "cannot_connect"),
    ],
)
async def test_user_flow_unexpected_errors(
    hass: HomeAssistant, emulator: CameraEmulator, side_effect: Exception, error: str
) -> None:
    """Errors no emulated camera produces map to unknown (logged) or cannot_connect."""
    result = await _connect_form(hass)
    with patch.object(scan.CgiCamera, "device_info", side_effect=side_effect):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(emulator)
        )
    assert result["errors"] == {"base": error}


async def test_user_flow_device_without_mac(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """A DeviceInfo without a MAC cannot be keyed: not a supported camera."""
    result = await _connect_form(hass)
    info = await scan.client(hass, _user_input(emulator), 5).device_info()
    with patch.object(
        scan.CgiCamera,
        "device_info",
        return_value=dataclasses.replace(info, mac=""),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(emulator)
        )
    assert result["errors"] == {"base": "not_a_supported_camera"}


async def test_user_flow_already_configured_updates_host(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """Adding a configured camera again aborts, moving the entry to the address just typed."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_HOST: "127.0.0.9", CONF_PORT: 1}
    )
    result = await _connect_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    # The message names the entry the camera belongs to.
    assert result["description_placeholders"] == {"title": entry.title}
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == emulator.port


# --- reauth and reconfigure ----------------------------------------------------------------------------------------


async def test_reauth(hass: HomeAssistant, emulator: CameraEmulator) -> None:
    """A wrong password shows invalid_auth; the right one updates the entry."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: "old"}
    )
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert _suggested(result, CONF_USERNAME) == USERNAME

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD


async def test_reconfigure(hass: HomeAssistant, emulator: CameraEmulator) -> None:
    """Reconfigure validates, keeps the stored password when left empty, and updates the entry."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_HOST: "127.0.0.9"}
    )
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_HOST) == "127.0.0.9"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.9", CONF_PORT: emulator.port, CONF_USERNAME: USERNAME},
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert _suggested(result, CONF_HOST) == "127.0.0.9"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: emulator.port, CONF_USERNAME: USERNAME},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PASSWORD] == PASSWORD


async def test_reconfigure_other_camera(
    hass: HomeAssistant, emulator: CameraEmulator, other_camera: CameraEmulator
) -> None:
    """Pointing an entry at a different camera (other MAC) aborts without change."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(other_camera) | {CONF_HOST: "127.0.0.2"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.data[CONF_HOST] == "127.0.0.1"


# --- options -------------------------------------------------------------------------------------------------------

OPTION_FIELDS = {CONF_DEFAULT_STREAM, CONF_RTSP_PORT, CONF_PTZ_WATCHDOG}
# Keys older versions stored: polling intervals are the integration's to choose now.
OLD_OPTIONS = {"fast_interval": 2, "slow_interval": 30, "motion_interval": 0.5}


def _fields(result: Any) -> set[str]:
    return {str(marker) for marker in result["data_schema"].schema}


@pytest.mark.parametrize("loaded", [True, False], ids=["loaded", "not_loaded"])
async def test_options(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    loaded: bool,
) -> None:
    """One form, loaded or not: no polling interval; old interval keys are dropped on save; an empty RTSP port
    means "ask the camera".

    PTZ speed and step duration are no options (the PTZ number entities hold them).
    """
    entry = entry_for(emulator, **{CONF_RTSP_PORT: 8554}, **OLD_OPTIONS)
    if not loaded:
        entry = MockConfigEntry(
            domain=DOMAIN,
            unique_id=entry.unique_id,
            data={**entry.data, CONF_HOST: "127.0.0.9"},
            options=entry.options,
        )
    await setup_integration(entry)
    assert entry.state is (
        ConfigEntryState.LOADED if loaded else ConfigEntryState.SETUP_RETRY
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    assert _fields(result) == OPTION_FIELDS
    assert _suggested(result, CONF_RTSP_PORT) == 8554
    assert _suggested(result, CONF_PTZ_WATCHDOG) == 10

    user_input = {CONF_DEFAULT_STREAM: "main", CONF_PTZ_WATCHDOG: 20.0}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_DEFAULT_STREAM: "main", CONF_PTZ_WATCHDOG: 20.0}
    await hass.async_block_till_done()

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input | {CONF_RTSP_PORT: 10554.0}
    )
    assert entry.options[CONF_RTSP_PORT] == 10554
    await hass.async_block_till_done()


async def test_old_interval_options_ignored(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """An entry that still stores polling intervals loads and polls at the integration's own pace."""
    entry = await setup_integration(entry_for(emulator, **OLD_OPTIONS))
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    assert coordinator.fast_interval == timedelta(seconds=DEFAULT_FAST_INTERVAL)
    assert coordinator.slow_interval == timedelta(seconds=DEFAULT_SLOW_INTERVAL)


@pytest.mark.parametrize(
    ("field", "value", "low", "high"),
    [
        (CONF_RTSP_PORT, 0, "1", "65535"),
        (CONF_RTSP_PORT, 65536, "1", "65535"),
        (CONF_RTSP_PORT, 554.5, "1", "65535"),
        (CONF_PTZ_WATCHDOG, 0.5, "1", "120"),
        (CONF_PTZ_WATCHDOG, 121, "1", "120"),
    ],
)
async def test_options_out_of_range(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    field: str,
    value: float,
    low: str,
    high: str,
) -> None:
    """A value outside its range is refused with an error that gives the allowed range; nothing is stored."""
    entry = entry_for(emulator, **{CONF_DEFAULT_STREAM: "main"})
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_STREAM: "sub", CONF_PTZ_WATCHDOG: 10.0, field: value},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: "out_of_range"}
    assert result["description_placeholders"] == {"min": low, "max": high}
    assert _suggested(result, field) == value
    assert entry.options == {CONF_DEFAULT_STREAM: "main"}


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, channels=2)],
)
async def test_options_default_stream_switches_entities(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    entity_registry: er.EntityRegistry,
) -> None:
    """Changing the default stream enables that stream's camera entity of every channel and disables the other;
    an entity the user disabled stays disabled."""
    entry = await setup_integration(entry_for(emulator))

    def _disabled() -> dict[str, er.RegistryEntryDisabler | None]:
        return {
            reg.unique_id.split("_", 1)[1]: reg.disabled_by
            for reg in er.async_entries_for_config_entry(
                entity_registry, entry.entry_id
            )
            if reg.domain == "camera"
        }

    integration = er.RegistryEntryDisabler.INTEGRATION
    assert _disabled() == {
        "1_main_stream": None,
        "1_sub_stream": integration,
        "2_main_stream": None,
        "2_sub_stream": integration,
    }
    main_2 = next(
        reg.entity_id
        for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if reg.unique_id.endswith("_2_main_stream")
    )
    entity_registry.async_update_entity(
        main_2, disabled_by=er.RegistryEntryDisabler.USER
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_STREAM: "sub", CONF_PTZ_WATCHDOG: 10.0}
    )
    await hass.async_block_till_done()
    assert _disabled() == {
        "1_main_stream": integration,
        "1_sub_stream": None,
        "2_main_stream": er.RegistryEntryDisabler.USER,
        "2_sub_stream": None,
    }
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(main_2) is None
    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_STREAM: "main", CONF_PTZ_WATCHDOG: 10.0}
    )
    await hass.async_block_till_done()
    assert _disabled()["1_main_stream"] is None
    assert _disabled()["1_sub_stream"] is integration


# --- DHCP ----------------------------------------------------------------------------------------------------------


def _dhcp(ip: str, mac: str = MAC) -> DhcpServiceInfo:
    return DhcpServiceInfo(ip=ip, hostname="ipcam", macaddress=mac.replace(":", ""))


async def test_dhcp_new_camera(
    hass: HomeAssistant, emulator: CameraEmulator, port_80: dict[str, int]
) -> None:
    """A new camera on DHCP asks only for credentials, then shows the preview and creates the entry."""
    port_80["127.0.0.1"] = emulator.port
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp("127.0.0.1")
    )
    assert result["step_id"] == "discovery_confirm"
    # DeviceInfo needs a password on this camera, so the flow is named by IP.
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"name": "127.0.0.1"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert _suggested(result, CONF_USERNAME) == USERNAME

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["step_id"] == "confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert result["data"][CONF_HOST] == "127.0.0.1"
    assert result["data"][CONF_PORT] == 80


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(auth="none", mac=MAC)])
async def test_dhcp_new_camera_named_by_address(
    hass: HomeAssistant, emulator: CameraEmulator, port_80: dict[str, int]
) -> None:
    """A camera that answers DeviceInfo without a password is still named by its address, not its board ID."""
    port_80["127.0.0.1"] = emulator.port
    await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp("127.0.0.1")
    )
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"name": "127.0.0.1"}


async def _dhcp_known(hass: HomeAssistant, entry: MockConfigEntry, ip: str) -> None:
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(ip)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()


async def test_dhcp_same_address(hass: HomeAssistant, emulator: CameraEmulator) -> None:
    """A known camera at its configured address: nothing to do."""
    entry = entry_for(emulator)
    requests = len(emulator.requests)
    await _dhcp_known(hass, entry, "127.0.0.1")
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert len(emulator.requests) == requests


async def test_dhcp_moved_camera_is_followed(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """The old address is silent and the new one answers with the same MAC: the entry moves."""
    entry = entry_for(emulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=entry.unique_id,
        title=entry.title,
        data={**entry.data, CONF_HOST: "127.0.0.9"},
    )
    await _dhcp_known(hass, entry, "127.0.0.1")
    assert entry.data[CONF_HOST] == "127.0.0.1"


async def test_dhcp_old_address_still_answers(
    hass: HomeAssistant, emulator: CameraEmulator, other_camera: CameraEmulator
) -> None:
    """The camera still answers at its configured address: a DHCP sighting elsewhere changes nothing."""
    entry = entry_for(emulator)
    await _dhcp_known(hass, entry, "127.0.0.2")
    assert entry.data[CONF_HOST] == "127.0.0.1"


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.8"], ids=["other-mac", "silent"])
async def test_dhcp_new_address_not_confirmed(
    hass: HomeAssistant, emulator: CameraEmulator, ip: str
) -> None:
    """The old address is silent but the new one is another camera, or silent too: the entry stays put."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=OTHER_MAC,
        title="cam",
        data={
            CONF_HOST: "127.0.0.9",
            CONF_PORT: emulator.port,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
        },
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(ip, OTHER_MAC)
    )
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.9"


async def test_dhcp_ignored_camera_stays_ignored(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """An ignored camera is not offered again, whatever its address."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=MAC, source=SOURCE_IGNORE, data={})
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp("127.0.0.1")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.source == SOURCE_IGNORE
    assert entry.data == {}


# --- WS-Discovery scan ---------------------------------------------------------------------------------------------


async def _scan(
    hass: HomeAssistant, targets: list[tuple[str, int]], responder: WsDiscoveryResponder
) -> Any:
    await responder.start()
    targets.append(responder.target)
    try:
        return await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    finally:
        await responder.stop()


def _options(result: Any) -> dict[str, str]:
    for marker, value in result["data_schema"].schema.items():
        if marker == "device":
            return {o["value"]: o["label"] for o in value.config["options"]}
    raise KeyError("device")


async def test_scan_finds_nothing(
    hass: HomeAssistant, scan_targets: list[tuple[str, int]], socket_enabled: None
) -> None:
    """No reply: straight to manual entry, saying that the scan found nothing."""
    result = await _scan(hass, scan_targets, WsDiscoveryResponder([]))
    assert result["step_id"] == "connect"
    assert result["errors"] == {"base": "no_cameras_found"}
    assert _suggested(result, CONF_HOST) is None


async def test_scan_one_camera(
    hass: HomeAssistant,
    scan_targets: list[tuple[str, int]],
    other_camera: CameraEmulator,
) -> None:
    """A camera that wants a password is listed by IP; picking it pre-fills host and port."""
    responder = WsDiscoveryResponder([camera_reply("127.0.0.2", other_camera.port)])
    result = await _scan(hass, scan_targets, responder)
    assert result["step_id"] == "user"
    key = f"127.0.0.2:{other_camera.port}"
    assert _options(result) == {key: key, "manual": "manual"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": key}
    )
    assert result["step_id"] == "connect"
    assert _suggested(result, CONF_HOST) == "127.0.0.2"
    assert _suggested(result, CONF_PORT) == other_camera.port
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(other_camera)
    )
    assert result["step_id"] == "confirm"


async def test_scan_several_devices(
    hass: HomeAssistant,
    scan_targets: list[tuple[str, int]],
    emulator: CameraEmulator,
    web_server: web.TCPSite,
) -> None:
    """Several cameras, a malformed reply and a non-camera ONVIF device: only confirmed cameras are offered."""
    open_cams = [
        await _start(
            EmulatorConfig(auth="none", mac=f"00:2a:2a:00:00:0{i}"), f"127.0.0.{i}"
        )
        for i in (2, 3)
    ]
    try:
        responder = WsDiscoveryResponder(
            [
                camera_reply("127.0.0.2", open_cams[0].port),
                camera_reply("127.0.0.3", open_cams[1].port),
                camera_reply("127.0.0.1", emulator.port),  # configured below: left out
                malformed_reply("127.0.0.4"),
                camera_reply("127.0.0.6", 80),  # nothing answers there
                other_device_reply("127.0.0.5", _site_port(web_server)),
            ]
        )
        entry_for(emulator).add_to_hass(hass)
        result = await _scan(hass, scan_targets, responder)
    finally:
        for cam in open_cams:
            await cam.stop()
    model = open_cams[0].config.device_id
    assert _options(result) == {
        f"127.0.0.2:{open_cams[0].port}": f"{model} (127.0.0.2:{open_cams[0].port})",
        f"127.0.0.3:{open_cams[1].port}": f"{model} (127.0.0.3:{open_cams[1].port})",
        "manual": "manual",
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": "manual"}
    )
    assert result["step_id"] == "connect"
    assert not result["errors"]  # the scan found cameras: manual entry was a choice
    assert _suggested(result, CONF_HOST) is None


async def test_scan_prefers_confirmed_port(
    hass: HomeAssistant,
    scan_targets: list[tuple[str, int]],
    other_camera: CameraEmulator,
) -> None:
    """One host, a port that wants a password and a port that answers DeviceInfo: offered once, by model."""
    open_cam = await _start(EmulatorConfig(auth="none", mac=OTHER_MAC), "127.0.0.2")
    try:
        responder = WsDiscoveryResponder(
            [
                camera_reply("127.0.0.2", other_camera.port),
                camera_reply("127.0.0.2", open_cam.port),
            ]
        )
        result = await _scan(hass, scan_targets, responder)
    finally:
        await open_cam.stop()
    key = f"127.0.0.2:{open_cam.port}"
    assert _options(result) == {
        key: f"{open_cam.config.device_id} ({key})",
        "manual": "manual",
    }


async def test_scan_failure_offers_manual_entry(hass: HomeAssistant) -> None:
    """A probe that cannot even open a socket never fails the flow."""
    with patch.object(scan, "probe", AsyncMock(side_effect=OSError("no route"))):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    assert result["step_id"] == "connect"
    assert result["errors"] == {"base": "no_cameras_found"}


# --- passwords: never sent back, may be empty ----------------------------------------------------------------------

WRONG_PASSWORD = "wr0ng-pa55word"


async def _start_step(
    hass: HomeAssistant, emulator: CameraEmulator, step: str
) -> tuple[str, dict[str, Any]]:
    """Open `step` for the emulator; return the flow id and a wrong input for it."""
    credentials = {CONF_USERNAME: USERNAME, CONF_PASSWORD: WRONG_PASSWORD}
    if step == "connect":
        result = await _connect_form(hass)
        return result["flow_id"], _user_input(emulator, **credentials)
    if step == "discovery_confirm":
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp("127.0.0.1")
        )
        return result["flow_id"], credentials
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    if step == "reauth_confirm":
        result = await entry.start_reauth_flow(hass)
        return result["flow_id"], credentials
    result = await entry.start_reconfigure_flow(hass)
    return result["flow_id"], _user_input(emulator, **credentials)


@pytest.mark.parametrize(
    "step", ["connect", "discovery_confirm", "reauth_confirm", "reconfigure"]
)
async def test_password_never_sent_back(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: CameraEmulator,
    port_80: dict[str, int],
    step: str,
) -> None:
    """After a failed try the form comes back to the browser without the password (no suggested value, no default)."""
    port_80["127.0.0.1"] = emulator.port
    flow_id, user_input = await _start_step(hass, emulator, step)
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    response = await client.post(
        f"/api/config/config_entries/flow/{flow_id}", json=user_input
    )
    assert response.status == 200
    text = await response.text()
    reply = await response.json()
    assert reply["step_id"] == step
    assert reply["errors"] == {"base": "invalid_auth"}
    assert WRONG_PASSWORD not in text
    fields = {field["name"]: field for field in reply["data_schema"]}
    assert fields[CONF_USERNAME]["description"] == {"suggested_value": USERNAME}
    assert "description" not in fields[CONF_PASSWORD]
    assert "default" not in fields[CONF_PASSWORD]


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(username=USERNAME, password="", mac=MAC)]
)
@pytest.mark.parametrize("step", ["connect", "discovery_confirm", "reauth_confirm"])
async def test_empty_password_accepted(
    hass: HomeAssistant, emulator: CameraEmulator, port_80: dict[str, int], step: str
) -> None:
    """A camera account without a password (admin and no password, as shipped) can be entered in every form."""
    port_80["127.0.0.1"] = emulator.port
    flow_id, user_input = await _start_step(hass, emulator, step)
    del user_input[CONF_PASSWORD]  # what the frontend sends for an empty optional field
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    if step == "reauth_confirm":
        assert result["reason"] == "reauth_successful"
        entry = hass.config_entries.async_entries(DOMAIN)[0]
    else:
        assert result["step_id"] == "confirm"
        result = await hass.config_entries.flow.async_configure(flow_id, {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
    assert entry.data[CONF_PASSWORD] == ""


# --- names ---------------------------------------------------------------------------------------------------------


async def _set_osd_title(hass: HomeAssistant, emu: CameraEmulator, title: str) -> None:
    client = scan.client(hass, _user_input(emu, **{CONF_HOST: emu.host}), 5)
    await client.set("image", "OSDInfo", 1, {"TextOSDTitle": title})


async def _add(
    hass: HomeAssistant, emu: CameraEmulator, name: str | None = None
) -> Any:
    """Add `emu` through the user flow; return the confirm step's default name and the created entry."""
    result = await _connect_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emu, **{CONF_HOST: emu.host})
    )
    assert result["step_id"] == "confirm"
    default = _suggested(result, CONF_NAME)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {} if name is None else {CONF_NAME: name}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return default, result["result"]


async def test_two_cameras_of_one_model_get_distinct_titles(
    hass: HomeAssistant, emulator: CameraEmulator, other_camera: CameraEmulator
) -> None:
    """Named "Camera" by default (numbered when taken), two cameras of one model never share a title."""
    assert emulator.config.device_id == other_camera.config.device_id
    _, first = await _add(hass, emulator)
    _, second = await _add(hass, other_camera)
    assert (first.title, second.title) == ("Camera", "Camera 2")


async def test_name_from_osd_title(
    hass: HomeAssistant, emulator: CameraEmulator, other_camera: CameraEmulator
) -> None:
    """A camera its owner named on screen (OSD title) is proposed under that name; a name taken falls back."""
    await _set_osd_title(hass, emulator, " Garage ")
    await _set_osd_title(hass, other_camera, "Garage")
    default, entry = await _add(hass, emulator)
    assert default == "Garage"
    assert entry.title == "Garage"
    default, entry = await _add(hass, other_camera, name="  Drive way ")
    assert default == "Camera"
    assert entry.title == "Drive way"


async def test_name_without_osd(hass: HomeAssistant, emulator: CameraEmulator) -> None:
    """A camera whose OSD cannot be read is named "Camera"."""
    real_get = scan.CgiCamera.get

    async def get_without_osd(self, area, group, *args, **kwargs):  # type: ignore[no-untyped-def]
        if group == "OSDInfo":
            raise scan.NotSupported(area=area, group=group, code=501)
        return await real_get(self, area, group, *args, **kwargs)

    with patch.object(scan.CgiCamera, "get", get_without_osd):
        default, _ = await _add(hass, emulator)
    assert default == "Camera"


async def test_name_required(hass: HomeAssistant, emulator: CameraEmulator) -> None:
    """A blank name is refused with a message; the default is offered again."""
    result = await _connect_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator)
    )
    default = _suggested(result, CONF_NAME)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "   "}
    )
    assert result["step_id"] == "confirm"
    assert result["errors"] == {CONF_NAME: "name_required"}
    assert _suggested(result, CONF_NAME) == default
    assert result["description_placeholders"]["preview"].startswith("![preview](")


# --- not a camera --------------------------------------------------------------------------------------------------


async def test_dhcp_not_a_camera(
    hass: HomeAssistant, not_found_server: web.TCPSite, port_80: dict[str, int]
) -> None:
    """A device on DHCP whose web server answers 404 is not offered: "not a supported camera"."""
    port_80["127.0.0.6"] = _site_port(not_found_server)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp("127.0.0.6")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_a_supported_camera"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (CONF_HOST, "   ", "invalid_host"),
        (CONF_HOST, "http://192.168.1.10/", "invalid_host"),
        (CONF_HOST, "192.168.1.10:8080", "invalid_host"),
        (CONF_HOST, "cam.lan/cgi?x=", "invalid_host"),
        (CONF_HOST, "user@cam.lan", "invalid_host"),
        (CONF_HOST, "-cam", "invalid_host"),
        (CONF_PORT, 80.5, "invalid_port"),
    ],
)
async def test_bad_address_sends_no_request(
    hass: HomeAssistant, emulator: CameraEmulator, field: str, value: Any, error: str
) -> None:
    """A host that is not a bare name or IP, or a fractional port, is refused before anything is sent."""
    result = await _connect_form(hass)
    with patch.object(scan.CgiCamera, "device_info") as device_info:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(emulator, **{field: value})
        )
    device_info.assert_not_called()
    assert result["errors"] == {field: error}


@pytest.mark.parametrize("host", ["cam-1.lan", "ipcam_garage", "::1", "cam.lan."])
async def test_host_forms_accepted(
    hass: HomeAssistant, emulator: CameraEmulator, host: str
) -> None:
    """Host names (also with an underscore or a trailing dot) and IPv6 addresses are tried."""
    result = await _connect_form(hass)
    with patch.object(
        scan.CgiCamera, "device_info", side_effect=scan.CannotConnect()
    ) as device_info:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(emulator, **{CONF_HOST: host})
        )
    device_info.assert_called_once()
    assert result["errors"] == {"base": "cannot_connect"}
