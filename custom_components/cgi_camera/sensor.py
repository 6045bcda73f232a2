"""Sensors: SD card status and space, boot time, Wi-Fi signal, IP address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfInformation
from homeassistant.util import dt as dt_util

from .api import SdStatus
from .entity import (
    CgiEntity,
    CgiEntityDescription,
    build_entities,
    has_group,
    has_sd_card_slot,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .api import ParamGroup
    from .data import CgiCameraConfigEntry

PARALLEL_UPDATES = 0

# RecordDevice SDStatus 0..9 as sensor states, in the spec's order.
SD_STATES: tuple[str, ...] = tuple(status.name.lower() for status in SdStatus)
# SDStatus values without a readable card.
NO_CARD: frozenset[SdStatus] = frozenset(
    {SdStatus.OFF, SdStatus.REMOVED, SdStatus.UNINITIALIZED}
)
# The camera's clock and the poll's own latency move the computed boot time by a few seconds each poll.
BOOT_TIME_TOLERANCE = timedelta(seconds=60)


@dataclass(frozen=True, kw_only=True)
class CgiSensorEntityDescription(CgiEntityDescription, SensorEntityDescription):
    """A value the camera reports; `value_fn` turns the group into the state."""

    value_fn: Callable[[ParamGroup, str], StateType | datetime] | None = None


def _param(block: ParamGroup, param: str) -> StateType:
    return block.get(param)


def _sd_state(block: ParamGroup, param: str) -> str | None:
    value = block.get(param)
    if isinstance(value, int) and 0 <= value < len(SD_STATES):
        return SD_STATES[value]
    return None


def _sd_space(block: ParamGroup, param: str) -> StateType:
    """Return a space figure, unknown while there is no readable card (the camera reports 0 then)."""
    if block.get("SDStatus") in NO_CARD:
        return None
    return block.get(param)


def _sd_used_percent(block: ParamGroup, param: str) -> float | None:
    total, used = _sd_space(block, "TotalSpace"), _sd_space(block, "UsedSpace")
    if not isinstance(total, int) or not isinstance(used, int) or total <= 0:
        return None
    return round(100 * used / total, 1)


def _boot_time(block: ParamGroup, param: str) -> datetime | None:
    uptime = block.get(param)
    if not isinstance(uptime, int) or uptime < 0:
        return None
    return (dt_util.utcnow() - timedelta(seconds=uptime)).replace(microsecond=0)


SENSORS: tuple[CgiSensorEntityDescription, ...] = (
    CgiSensorEntityDescription(
        key="sd_status",
        translation_key="sd_status",
        area="record",
        group="RecordDevice",
        param="SDStatus",
        device_class=SensorDeviceClass.ENUM,
        options=list(SD_STATES),
        value_fn=_sd_state,
        supported_fn=has_sd_card_slot,
    ),
    CgiSensorEntityDescription(
        key="sd_total",
        translation_key="sd_total",
        entity_registry_enabled_default=False,
        value_fn=_sd_space,
        area="record",
        group="RecordDevice",
        param="TotalSpace",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        supported_fn=has_sd_card_slot,
    ),
    CgiSensorEntityDescription(
        key="sd_used",
        translation_key="sd_used",
        entity_registry_enabled_default=False,
        value_fn=_sd_space,
        area="record",
        group="RecordDevice",
        param="UsedSpace",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        supported_fn=has_sd_card_slot,
    ),
    CgiSensorEntityDescription(
        key="sd_used_percent",
        translation_key="sd_used_percent",
        area="record",
        group="RecordDevice",
        param="UsedSpace",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_sd_used_percent,
        supported_fn=has_sd_card_slot,
    ),
    CgiSensorEntityDescription(
        key="boot_time",
        translation_key="boot_time",
        entity_registry_enabled_default=False,
        area="sys",
        group="TimeInfo",
        param="UpTime",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_boot_time,
        supported_fn=has_group("sys", "TimeInfo"),
    ),
    CgiSensorEntityDescription(
        key="wifi_signal",
        translation_key="wifi_signal",
        area="wifi",
        group="WifiInfo",
        param="Signal",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        supported_fn=has_group("wifi", "WifiInfo"),
    ),
    CgiSensorEntityDescription(
        key="ip_address",
        translation_key="ip_address",
        area="net",
        group="AddressInfo",
        param="IPAddress",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        supported_fn=has_group("net", "AddressInfo"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CgiCameraConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up sensors for what the camera supports."""
    async_add_entities(build_entities(entry, SENSORS, CgiSensor, writable=False))


class CgiSensor(CgiEntity, SensorEntity):
    """A value the camera reports."""

    entity_description: CgiSensorEntityDescription
    _last_boot: datetime | None = None
    _last_uptime: int | None = None

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's state; a value the camera reports but the sensor cannot show is unknown."""
        if (block := self.block) is None:
            return None
        description = self.entity_description
        value_fn = description.value_fn or _param
        try:
            value = value_fn(block, description.param)
        except OverflowError, ValueError:
            self.unfit(block.get(description.param))
            return None
        if isinstance(value, datetime):
            return self._steady_boot_time(value, block.get(description.param))
        if description.native_unit_of_measurement is not None and not isinstance(
            value, float
        ):
            return self.fitting_int(value)
        if isinstance(value, str):
            return self.fitting_state(value)
        return value

    def _steady_boot_time(self, value: datetime, uptime: object) -> datetime:
        """Keep the boot time steady across polls: it moves only when the uptime went back (a restart)."""
        restarted = (
            isinstance(uptime, int)
            and self._last_uptime is not None
            and uptime < self._last_uptime
        )
        if isinstance(uptime, int):
            self._last_uptime = uptime
        if (
            not restarted
            and self._last_boot is not None
            and abs(value - self._last_boot) < BOOT_TIME_TOLERANCE
        ):
            return self._last_boot
        self._last_boot = value
        return value
