"""PTZ entities: preset select, move/zoom/stop/autoscan buttons, step duration and speed numbers.

The platform modules (select.py, button.py, number.py) add what these functions return; only cameras with PTZ get
any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
    SelectEntity,
    SelectEntityDescription,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .api import preset_titles
from .const import DOMAIN
from .entity import (
    CgiBaseEntity,
    CgiChannelEntity,
    CgiEntity,
    CgiEntityDescription,
    entity_unique_id,
)
from .ptz import (
    DIRECTIONS,
    SPEED_RANGE,
    PtzController,
    get_controller,
    has_ptz,
    preset_names_key,
    ptz_direction,
    ptz_state_key,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import CgiCameraConfigEntry

STEP_RANGE: Final = (0.1, 5.0)


# -- preset select ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PtzSelectEntityDescription(CgiEntityDescription, SelectEntityDescription):
    """The preset list, read from ptz/PresetNameInfo (one block per saved preset)."""


PRESET_SELECT = PtzSelectEntityDescription(
    key="ptz_preset",
    translation_key="ptz_preset",
    area="ptz",
    group="PresetNameInfo",
    param="PresetTitle",
)


# The select's state while the camera is not at a preset it recalled (after a move, or before any recall): a fixed
# option with a translated text ("Not at a preset") instead of a bare "unknown", which reads like a fault. Choosing it
# sends nothing.
NO_PRESET: Final = "none"


def preset_option(number: int, title: str) -> str:
    """Return the select option of a preset: `N: title`."""
    return f"{number}: {title}" if title else str(number)


class PtzPresetSelect(CgiEntity, SelectEntity):
    """Recall a saved preset; shows the last recalled one until the camera moves."""

    entity_description: PtzSelectEntityDescription

    def __init__(self, entry: CgiCameraConfigEntry, channel: int) -> None:
        """Initialize the select of `channel`."""
        super().__init__(entry, PRESET_SELECT, channel)
        self._ptz_key = ptz_state_key(channel)
        # Position seen first after a recall; a later different one means the camera moved.
        self._baseline: tuple[Any, ...] | None = None

    @property
    def controller(self) -> PtzController:
        """Return the channel's PTZ controller."""
        return get_controller(self.hass, self.entry, self.channel)

    async def async_added_to_hass(self) -> None:
        """Also watch PTZCtrlInfo on the fast poll, to notice movement."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_register_group(self._ptz_key))
        self.async_on_remove(
            self.coordinator.async_add_listener(self._handle_ptz_update)
        )
        self.async_on_remove(
            self.controller.async_add_listener(self._handle_controller_update)
        )

    @property
    def presets(self) -> dict[int, str]:
        """Return the saved presets (number → title) as last read."""
        return preset_titles((self.coordinator.data or {}).get(self.key, []))

    @property
    def options(self) -> list[str]:
        """Return "not at a preset", then one option per saved preset."""
        return [
            NO_PRESET,
            *(preset_option(number, title) for number, title in self.presets.items()),
        ]

    @property
    def current_option(self) -> str | None:
        """Return the last recalled preset, until something moved the camera; then NO_PRESET."""
        number = self.controller.last_preset
        if number is None or (title := self.presets.get(number)) is None:
            return NO_PRESET
        return preset_option(number, title)

    @property
    def available(self) -> bool:
        """Return True once the preset list has been read (an empty list is a valid answer)."""
        return self.coordinator.last_update_success and self.key in (
            self.coordinator.data or {}
        )

    async def async_select_option(self, option: str) -> None:
        """Recall the chosen preset ("not at a preset" recalls nothing)."""
        if option == NO_PRESET:
            return
        await self.controller.goto_preset(int(option.split(":", 1)[0]))

    @callback
    def _handle_controller_update(self) -> None:
        self._baseline = None
        self.async_write_ha_state()

    @callback
    def _handle_ptz_update(self) -> None:
        """Forget the recalled preset once the camera reports movement or a new position."""
        controller = self.controller
        if controller.last_preset is None:
            return
        blocks = (self.coordinator.data or {}).get(self._ptz_key)
        if not blocks:
            return
        block = blocks[0]
        direction = block.get("Direction")
        position = (block.get("Pan"), block.get("Tilt"), block.get("ZoomPosition"))
        if isinstance(direction, int) and direction != 0:
            controller.async_clear_preset()
        elif self._baseline is None:
            self._baseline = position
        elif position != self._baseline:
            controller.async_clear_preset()


@callback
def async_add_preset_selects(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the preset select of each PTZ channel once the channel has a preset.

    A select without presets could only read "unknown" over an empty list. A select created before (the camera
    had presets then, and keeps them) is added at once; for the other channels the preset list is polled in its
    place, and the select is added as soon as it lists a preset, saved here or in the camera's own app.
    """
    if not has_ptz(entry):
        return
    ent_reg = er.async_get(hass)
    for channel in entry.runtime_data.channels:
        unique_id = entity_unique_id(entry, channel, PRESET_SELECT.key)
        if ent_reg.async_get_entity_id(SELECT_DOMAIN, DOMAIN, unique_id):
            async_add_entities([PtzPresetSelect(entry, channel)])
        else:
            _add_select_once_a_preset_exists(entry, channel, async_add_entities)


@callback
def _add_select_once_a_preset_exists(
    entry: CgiCameraConfigEntry,
    channel: int,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Poll the preset list (as the select would) and add the select when the list is no longer empty."""
    key = preset_names_key(channel)
    coordinator = entry.runtime_data.coordinator
    stop_polling = coordinator.async_register_group(key)
    stop_listening: CALLBACK_TYPE | None = None

    @callback
    def _stop() -> None:
        nonlocal stop_listening
        if stop_listening is not None:
            stop_listening()
            stop_polling()
            stop_listening = None

    @callback
    def _presets_changed() -> None:
        if preset_titles((coordinator.data or {}).get(key, [])):
            _stop()
            async_add_entities([PtzPresetSelect(entry, channel)])

    stop_listening = coordinator.async_add_listener(_presets_changed)
    entry.async_on_unload(_stop)


# -- buttons ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PtzButtonEntityDescription(ButtonEntityDescription):
    """A PTZ button and what pressing it does with the channel's controller."""

    press_fn: Callable[[PtzController], Awaitable[None]]


def _step_button(direction: str) -> PtzButtonEntityDescription:
    ptz = ptz_direction(direction)
    return PtzButtonEntityDescription(
        key=f"ptz_{direction}",
        translation_key=f"ptz_{direction}",
        press_fn=lambda controller: controller.step(ptz),
        # Diagonals are there for those who want them, not cluttering every dashboard.
        entity_registry_enabled_default="_" not in direction,
    )


BUTTONS: Final[tuple[PtzButtonEntityDescription, ...]] = (
    *(_step_button(direction) for direction in DIRECTIONS),
    PtzButtonEntityDescription(
        key="ptz_zoom_in",
        translation_key="ptz_zoom_in",
        press_fn=lambda controller: controller.zoom_step(True),
    ),
    PtzButtonEntityDescription(
        key="ptz_zoom_out",
        translation_key="ptz_zoom_out",
        press_fn=lambda controller: controller.zoom_step(False),
    ),
    PtzButtonEntityDescription(
        key="ptz_stop",
        translation_key="ptz_stop",
        press_fn=lambda controller: controller.stop(),
    ),
    PtzButtonEntityDescription(
        key="ptz_autoscan",
        translation_key="ptz_autoscan",
        entity_registry_enabled_default=False,
        press_fn=lambda controller: controller.run_program("autoscan", None, "run"),
    ),
)


class PtzButton(CgiBaseEntity, ButtonEntity):
    """Move one PTZ step (then stop), zoom one step, stop, or start autoscan.

    Follows the coordinator that polls PTZ state only for availability: no group is polled for a button.
    """

    entity_description: PtzButtonEntityDescription

    async def async_press(self) -> None:
        """Run the button's PTZ action."""
        await self.entity_description.press_fn(
            get_controller(self.hass, self.entry, self.channel)
        )


def ptz_buttons(entry: CgiCameraConfigEntry) -> list[ButtonEntity]:
    """Return the PTZ buttons of each channel of a PTZ camera."""
    if not has_ptz(entry):
        return []
    return [
        PtzButton(entry, description, channel)
        for channel in entry.runtime_data.channels
        for description in BUTTONS
    ]


# -- numbers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PtzNumberEntityDescription(NumberEntityDescription):
    """A PTZ setting kept in Home Assistant (restored across restarts), never stored on the camera."""

    value_fn: Callable[[PtzController], float]
    set_fn: Callable[[PtzController, float], None]


def _set_step_duration(controller: PtzController, value: float) -> None:
    controller.step_duration = round(value, 1)


def _set_speed(controller: PtzController, value: float) -> None:
    controller.speed = round(value)


NUMBERS: Final[tuple[PtzNumberEntityDescription, ...]] = (
    PtzNumberEntityDescription(
        key="ptz_step_duration",
        translation_key="ptz_step_duration",
        entity_registry_enabled_default=False,
        value_fn=lambda controller: controller.step_duration,
        set_fn=_set_step_duration,
        entity_category=EntityCategory.CONFIG,
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        native_min_value=STEP_RANGE[0],
        native_max_value=STEP_RANGE[1],
        native_step=0.1,
        mode=NumberMode.BOX,
    ),
    PtzNumberEntityDescription(
        key="ptz_speed",
        translation_key="ptz_speed",
        entity_registry_enabled_default=False,
        value_fn=lambda controller: controller.speed,
        set_fn=_set_speed,
        entity_category=EntityCategory.CONFIG,
        native_min_value=SPEED_RANGE[0],
        native_max_value=SPEED_RANGE[1],
        native_step=1,
        mode=NumberMode.SLIDER,
    ),
)


class PtzNumber(CgiChannelEntity, RestoreNumber):
    """The PTZ step duration or speed the buttons (and actions without explicit values) use.

    The only place these are set: the controller holds the value, this entity sets it and restores it. Kept in
    Home Assistant, so available whether or not the camera answers.
    """

    _attr_should_poll = False
    entity_description: PtzNumberEntityDescription

    @property
    def controller(self) -> PtzController:
        """Return the channel's PTZ controller."""
        return get_controller(self.hass, self.entry, self.channel)

    async def async_added_to_hass(self) -> None:
        """Restore the value set before the restart (else keep the controller's default)."""
        await super().async_added_to_hass()
        if (
            last := await self.async_get_last_number_data()
        ) is not None and last.native_value is not None:
            self._apply(last.native_value)

    @property
    def native_value(self) -> float:
        """Return the value in use."""
        return self.entity_description.value_fn(self.controller)

    async def async_set_native_value(self, value: float) -> None:
        """Use a new value from now on; NaN (which passes Home Assistant's range check) is refused."""
        if not math.isfinite(value):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_number",
                translation_placeholders={
                    "value": f"{value:g}",
                    "setting": self.name
                    if isinstance(self.name, str)
                    else self.entity_description.key,
                    "allowed": f"{self.native_min_value:g}–{self.native_max_value:g}",
                },
            )
        self._apply(value)
        self.async_write_ha_state()

    def _apply(self, value: float) -> None:
        description = self.entity_description
        low, high = description.native_min_value, description.native_max_value
        assert low is not None
        assert high is not None
        description.set_fn(self.controller, min(max(value, low), high))


def ptz_numbers(entry: CgiCameraConfigEntry) -> list[NumberEntity]:
    """Return the PTZ step duration and speed numbers of each channel of a PTZ camera."""
    if not has_ptz(entry):
        return []
    return [
        PtzNumber(entry, description, channel)
        for channel in entry.runtime_data.channels
        for description in NUMBERS
    ]
