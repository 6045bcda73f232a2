"""number.set_value with NaN or an infinity: a translated validation error, and nothing sent (issue 21.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.exceptions import ServiceValidationError
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from custom_components.cgi_camera.ptz import get_controller

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator


@pytest.fixture(autouse=True)
def only_number_platform() -> Generator[None]:
    """Set up only the number platform."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.NUMBER]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "nan"])
@pytest.mark.parametrize(
    "entity_id",
    [
        "number.v6202ir_ar0237_brightness",
        "number.v6202ir_ar0237_ptz_speed",
        "number.v6202ir_ar0237_ptz_step_duration",
    ],
)
async def test_not_a_finite_number_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    entity_id: str,
    value: float | str,
) -> None:
    """NaN and infinities get a translated validation error; the camera and the PTZ settings stay as they were."""
    assert hass.states.get(entity_id) is not None
    controller = get_controller(hass, loaded_entry, 1)
    speed, step = controller.speed, controller.step_duration
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            NUMBER_DOMAIN,
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
            blocking=True,
        )
    assert err.value.translation_domain in (DOMAIN, "number")
    assert len(emulator.requests) == before
    assert (controller.speed, controller.step_duration) == (speed, step)
