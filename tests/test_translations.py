"""Every translation key the integration uses has English text, and every entity's options are translated."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.select import ATTR_OPTIONS
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera
from tests.conftest import entry_for

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

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
            assert set(options) <= set(text["state"]), entity.entity_id
