"""PTZ entities: preset select, move/zoom/stop/autoscan buttons, step duration and speed numbers.

The platform modules (select.py, button.py, number.py) add what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.wire import GroupKey
from .coordinator import CgiCoordinator
from .entity import CgiEntity, CgiEntityDescription, device_info
from .ptz import DIRECTIONS, PtzController, get_controller, has_ptz, ptz_direction

if TYPE_CHECKING:
    from .data import CgiCameraConfigEntry

SPEED_RANGE: Final = (1, 8)
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


def preset_option(number: int, title: str) -> str:
    """Return the select option of a preset: `N: title`."""
    return f"{number}: {title}" if title else str(number)


class PtzPresetSelect(CgiEntity, SelectEntity):
    """Recall a saved preset; shows the last recalled one until the camera moves."""

    entity_description: PtzSelectEntityDescription

    def __init__(self, entry: CgiCameraConfigEntry, channel: int) -> None:
        """Initialize the select of `channel`."""
        super().__init__(entry, PRESET_SELECT, channel)
        self._ptz_key = GroupKey("ptz", "PTZCtrlInfo", channel)
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
        blocks = (self.coordinator.data or {}).get(self.key) or []
        presets: dict[int, str] = {}
        for block in blocks:
            number = block.get("PresetNumber")
            if isinstance(number, int):
                title = block.get("PresetTitle")
                presets[number] = str(title).strip() if title is not None else ""
        return dict(sorted(presets.items()))

    @property
    def options(self) -> list[str]:
        """Return one option per saved preset."""
        return [preset_option(number, title) for number, title in self.presets.items()]

    @property
    def current_option(self) -> str | None:
        """Return the last recalled preset, until something moved the camera."""
        number = self.controller.last_preset
        if number is None or (title := self.presets.get(number)) is None:
            return None
        return preset_option(number, title)

    @property
    def available(self) -> bool:
        """Return True once the preset list has been read (an empty list is a valid answer)."""
        return self.coordinator.last_update_success and self.key in (
            self.coordinator.data or {}
        )

    async def async_select_option(self, option: str) -> None:
        """Recall the chosen preset."""
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


def ptz_selects(entry: CgiCameraConfigEntry) -> list[SelectEntity]:
    """Return the preset select of each channel of a PTZ camera."""
    if not has_ptz(entry):
        return []
    return [PtzPresetSelect(entry, channel) for channel in entry.runtime_data.channels]


# -- buttons ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PtzButtonEntityDescription(ButtonEntityDescription):
    """A PTZ button: a direction to move one step, a zoom step, stop or autoscan."""

    direction: str | None = None
    zoom_in: bool | None = None
    command: str | None = None


BUTTONS: Final[tuple[PtzButtonEntityDescription, ...]] = (
    *(
        PtzButtonEntityDescription(
            key=f"ptz_{direction}",
            translation_key=f"ptz_{direction}",
            direction=direction,
            # Diagonals are there for those who want them, not cluttering every dashboard.
            entity_registry_enabled_default="_" not in direction,
        )
        for direction in DIRECTIONS
    ),
    PtzButtonEntityDescription(
        key="ptz_zoom_in", translation_key="ptz_zoom_in", zoom_in=True
    ),
    PtzButtonEntityDescription(
        key="ptz_zoom_out", translation_key="ptz_zoom_out", zoom_in=False
    ),
    PtzButtonEntityDescription(
        key="ptz_stop", translation_key="ptz_stop", command="stop"
    ),
    PtzButtonEntityDescription(
        key="ptz_autoscan", translation_key="ptz_autoscan", command="autoscan"
    ),
)


class PtzButton(CoordinatorEntity[CgiCoordinator], ButtonEntity):
    """Move one PTZ step (then stop), zoom one step, stop, or start autoscan.

    Follows the fast coordinator only for availability: no group is polled for a button.
    """

    _attr_has_entity_name = True
    entity_description: PtzButtonEntityDescription

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: PtzButtonEntityDescription,
        channel: int,
    ) -> None:
        """Initialize the button of `channel`."""
        super().__init__(entry.runtime_data.coordinator)
        self.entry = entry
        self.channel = channel
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{channel}_{description.key}"
        self._attr_device_info = device_info(entry, channel)

    async def async_press(self) -> None:
        """Run the button's PTZ action."""
        controller = get_controller(self.hass, self.entry, self.channel)
        description = self.entity_description
        if description.direction is not None:
            await controller.move(
                ptz_direction(description.direction),
                controller.speed,
                controller.speed,
                controller.step_duration,
            )
        elif description.zoom_in is not None:
            await controller.zoom(description.zoom_in, controller.step_duration)
        elif description.command == "stop":
            await controller.stop()
        elif description.command == "autoscan":
            await controller.run_program("autoscan", None, "run")


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

    attribute: str  # the PtzController attribute it sets


NUMBERS: Final[tuple[PtzNumberEntityDescription, ...]] = (
    PtzNumberEntityDescription(
        key="ptz_step_duration",
        translation_key="ptz_step_duration",
        attribute="step_duration",
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
        attribute="speed",
        entity_category=EntityCategory.CONFIG,
        native_min_value=SPEED_RANGE[0],
        native_max_value=SPEED_RANGE[1],
        native_step=1,
        mode=NumberMode.SLIDER,
    ),
)


class PtzNumber(RestoreNumber):
    """The PTZ step duration or speed the buttons (and actions without explicit values) use."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: PtzNumberEntityDescription

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: PtzNumberEntityDescription,
        channel: int,
    ) -> None:
        """Initialize the number of `channel`."""
        self.entry = entry
        self.channel = channel
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{channel}_{description.key}"
        self._attr_device_info = device_info(entry, channel)

    @property
    def controller(self) -> PtzController:
        """Return the channel's PTZ controller."""
        return get_controller(self.hass, self.entry, self.channel)

    async def async_added_to_hass(self) -> None:
        """Restore the value set before the restart (else keep the default from the options)."""
        await super().async_added_to_hass()
        if (
            last := await self.async_get_last_number_data()
        ) is not None and last.native_value is not None:
            self._apply(last.native_value)

    @property
    def native_value(self) -> float:
        """Return the value in use."""
        value: float = getattr(self.controller, self.entity_description.attribute)
        return value

    async def async_set_native_value(self, value: float) -> None:
        """Use a new value from now on."""
        self._apply(value)
        self.async_write_ha_state()

    def _apply(self, value: float) -> None:
        description = self.entity_description
        low, high = description.native_min_value, description.native_max_value
        assert low is not None
        assert high is not None
        value = min(max(value, low), high)
        if description.attribute == "speed":
            self.controller.speed = round(value)
        else:
            self.controller.step_duration = round(value, 1)


def ptz_numbers(entry: CgiCameraConfigEntry) -> list[NumberEntity]:
    """Return the PTZ step duration and speed numbers of each channel of a PTZ camera."""
    if not has_ptz(entry):
        return []
    return [
        PtzNumber(entry, description, channel)
        for channel in entry.runtime_data.channels
        for description in NUMBERS
    ]
