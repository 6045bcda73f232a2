"""Every translation key the integration uses has English text, and every entity's options are translated."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.select import ATTR_OPTIONS
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera
from custom_components.cgi_camera import config_flow
from tests.conftest import entry_for

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Iterator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

PACKAGE = Path(custom_components.cgi_camera.__file__).parent
STRINGS: dict[str, Any] = json.loads((PACKAGE / "translations" / "en.json").read_text())
ICONS: dict[str, Any] = json.loads((PACKAGE / "icons.json").read_text())


def _keys(tree: dict[str, Any]) -> Iterator[str]:
    for key, value in tree.items():
        yield key
        if isinstance(value, dict):
            yield from _keys(value)


def test_every_translation_key_in_the_code_has_text() -> None:
    """A translation_key literal in the code that en.json lacks would show a raw key to the user."""
    known = set(_keys(STRINGS))
    used = {
        key
        for path in PACKAGE.glob("*.py")
        for key in re.findall(r'translation_key="([a-z0-9_]+)"', path.read_text())
    }
    assert used
    assert sorted(used - known) == []


def _texts(tree: dict[str, Any], path: str = "") -> Iterator[tuple[str, str]]:
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _texts(value, f"{path}{key}.")
        else:
            yield f"{path}{key}", value


def test_no_key_references() -> None:
    """Home Assistant resolves `[%key:...]` only for its built-in integrations: a custom one shows the raw key."""
    assert [path for path, text in _texts(STRINGS) if "[%key:" in text] == []


def test_every_flow_error_and_abort_has_text() -> None:
    """The config flow's errors and aborts are written out in en.json (else the form shows a bare key)."""
    source = (PACKAGE / "config_flow.py").read_text() + (
        PACKAGE / "scan.py"
    ).read_text()
    errors = set(re.findall(r'\{"base": "([a-z_]+)"\}', source))
    errors |= set(re.findall(r'errors\[[A-Z_]+\] = "([a-z_]+)"', source))
    aborts = set(re.findall(r'reason="([a-z_]+)"', source))
    assert errors
    assert aborts
    assert sorted(errors - set(STRINGS["config"]["error"])) == []
    assert sorted(aborts - set(STRINGS["config"]["abort"])) == []


@pytest.mark.parametrize(
    ("section", "step", "fields"),
    [
        ("config", "connect", config_flow.CONNECTION_SCHEMA.schema),
        ("config", "reconfigure", config_flow.CONNECTION_SCHEMA.schema),
        ("config", "discovery_confirm", config_flow.CREDENTIALS_SCHEMA.schema),
        ("config", "reauth_confirm", config_flow.CREDENTIALS_SCHEMA.schema),
        ("config", "confirm", ["name"]),
        ("config", "user", ["device"]),
        ("options", "init", config_flow.OPTIONS_SCHEMA.schema),
    ],
)
def test_every_form_field_has_a_label(
    section: str, step: str, fields: Iterable[object]
) -> None:
    """A form field without a label shows its bare key in the browser."""
    labels = STRINGS[section]["step"][step]["data"]
    assert sorted(str(field) for field in fields if str(field) not in labels) == []


def _icons(tree: dict[str, Any]) -> Iterator[str]:
    for value in tree.values():
        if isinstance(value, dict):
            yield from _icons(value)
        elif isinstance(value, str) and value.startswith("mdi:"):
            yield value


def test_every_icon_exists_in_the_frontend() -> None:
    """An icon missing from the installed frontend's MDI set shows blank."""
    if (spec := importlib.util.find_spec("hass_frontend")) is None or not spec.origin:
        pytest.skip("home-assistant-frontend is not installed: no icon list to check")
    icon_list = Path(spec.origin).parent / "static" / "mdi" / "iconList.json"
    known = {icon["name"] for icon in json.loads(icon_list.read_text())}
    used = set(_icons(ICONS))
    assert len(used) > 50
    assert sorted(icon for icon in used if icon.removeprefix("mdi:") not in known) == []


def test_service_translations_match_services_yaml() -> None:
    """Each action in services.yaml has a translated name and description, and an icon."""
    services = re.findall(
        r"^([a-z_]+):$", (PACKAGE / "services.yaml").read_text(), re.MULTILINE
    )
    assert services
    for service in services:
        assert STRINGS["services"][service]["name"]
        assert STRINGS["services"][service]["description"]
        assert service in ICONS["services"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_every_entity_is_named_and_its_states_translated(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    entity_registry: er.EntityRegistry,
) -> None:
    """Entities with a translation key have a name; translated selects and enum sensors have every state."""
    entry = await setup_integration(entry_for(emulator))
    entities = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert len(entities) > 80
    for entity in entities:
        if entity.translation_key is None:
            continue
        text = STRINGS["entity"][entity.domain][entity.translation_key]
        assert text["name"], entity.entity_id
        state = hass.states.get(entity.entity_id)
        assert state is not None
        if "state" in text:
            options = state.attributes.get(ATTR_OPTIONS) or []
            if entity.translation_key == "ptz_preset":
                # The camera's preset titles are the user's own; only the fixed option is translated.
                options = [o for o in options if ":" not in o and not o.isdigit()]
            assert set(options) <= set(text["state"]), entity.entity_id
