"""Base entity and entity-description plumbing for the CGI IP Camera integration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST, CONF_PORT, MAX_LENGTH_STATE_STATE
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.wire import GroupKey, group_key
from .compat import via_device
from .const import DOMAIN, LOGGER, MANUFACTURER
from .coordinator import CgiCoordinator

# Larger integers lose precision as floats (and overflow them past ~1e308): such a camera value is shown unknown.
MAX_EXACT_INT = 2**53

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .api import Capability, ParamGroup
    from .data import CgiCameraConfigEntry, CgiCameraData


@dataclass(frozen=True, kw_only=True)
class CgiEntityDescription(EntityDescription):
    """Where an entity's value lives on the camera: CGI area, group and parameter."""

    area: str
    group: str
    param: str
    # Overrides the default capability check (the parameter appears in the camera's _query reply).
    supported_fn: Callable[[CgiCameraData, int], bool] | None = None


def device_identifier(
    entry: CgiCameraConfigEntry, channel: int | None
) -> tuple[str, str]:
    """Return the device registry identifier of the camera, or of one channel of a video server."""
    assert entry.unique_id is not None
    if channel is None or not entry.runtime_data.multi_channel:
        return (DOMAIN, entry.unique_id)
    return (DOMAIN, f"{entry.unique_id}_ch{channel}")


def model(data: CgiCameraData) -> str:
    """Return the model: what the cameras print on their picture, and what kind (the board ID is the model ID).

    Home Assistant cannot translate a device's model, so it holds no word of any language.
    """
    if data.multi_channel:
        return "HD-IPC NVR"
    return "HD-IPC PTZ" if data.ptz else "HD-IPC"


def device_info(entry: CgiCameraConfigEntry, channel: int | None) -> DeviceInfo:
    """Return device info for the camera, or for one channel (a sub-device) of a multi-channel video server.

    A channel's name is translated ("<camera> channel <n>", device.channel in the translations). One object per
    device, shared by its entities (Home Assistant reads it when an entity is added, and each entity keeps what it
    was given: a copy each cost about 40 kB a camera). Read-only: callers unpack it.
    """
    identifier = device_identifier(entry, channel)
    infos = entry.runtime_data.device_infos
    if (info := infos.get(identifier)) is None:
        info = infos[identifier] = _device_info(entry, channel, identifier)
    return info


def _device_info(
    entry: CgiCameraConfigEntry, channel: int | None, identifier: tuple[str, str]
) -> DeviceInfo:
    data = entry.runtime_data
    if identifier[1] != entry.unique_id:
        info = DeviceInfo(
            identifiers={identifier},
            translation_key="channel",
            translation_placeholders={"camera": entry.title, "channel": str(channel)},
            manufacturer=MANUFACTURER,
            model="HD-IPC NVR",
            model_id=data.device.device_id,
        )
        if data.host_device_id is not None:
            info.update(via_device(data.host_device_id, device_identifier(entry, None)))
        return info
    # The entry's unique id is the MAC the config flow read, so it stands in when a reply lacks one.
    mac = data.device.mac or entry.unique_id or ""
    return DeviceInfo(
        identifiers={identifier},
        connections={(CONNECTION_NETWORK_MAC, mac)},
        name=entry.title,
        manufacturer=MANUFACTURER,
        model=model(data),
        model_id=data.device.device_id,
        sw_version=data.device.firmware,
        serial_number=data.device.serial,
        configuration_url=f"http://{entry.data[CONF_HOST]}:{entry.data[CONF_PORT]}/",
    )


def entity_unique_id(entry: CgiCameraConfigEntry, channel: int | None, key: str) -> str:
    """Return the unique id of the entity `key` of `channel` (None or 0: the camera itself): `<mac>_<channel>_<key>`."""
    return f"{entry.unique_id}_{channel or 0}_{key}"


class CgiChannelEntity(Entity):
    """An entity of one camera channel: the one place that builds unique ids and device info.

    Entities that follow the coordinator use CgiBaseEntity; this is for those that do not (PTZ settings kept in
    Home Assistant).
    """

    _attr_has_entity_name = True

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: EntityDescription,
        channel: int,
        *,
        device_wide: bool = False,
    ) -> None:
        """Initialize the entity of `channel`; a device-wide one belongs to the camera, not to a channel."""
        self.entry = entry
        self.camera = entry.runtime_data
        self.channel = channel
        self.entity_description = description
        device_channel = None if device_wide else channel
        self._attr_unique_id = entity_unique_id(entry, device_channel, description.key)
        self._attr_device_info = device_info(entry, device_channel)

    @property
    def setting_name(self) -> str:
        """Return the name used for this setting or action in error messages."""
        name = self.name
        return name if isinstance(name, str) else self.entity_description.key


class CgiBaseEntity(CoordinatorEntity[CgiCoordinator], CgiChannelEntity):
    """An entity of one camera channel that follows the camera's coordinator.

    Available while the camera answers the coordinator's polls (or its heartbeat).
    """

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: EntityDescription,
        channel: int,
        *,
        device_wide: bool = False,
    ) -> None:
        """Initialize the entity of `channel`; a device-wide one belongs to the camera, not to a channel."""
        CoordinatorEntity.__init__(self, entry.runtime_data.coordinator)
        CgiChannelEntity.__init__(
            self, entry, description, channel, device_wide=device_wide
        )


class CgiEntity(CgiBaseEntity):
    """An entity backed by one parameter of one CGI group.

    Unavailable while the camera does not answer or the group has not been read; a parameter missing from the
    reply, or a value the entity cannot show, is state unknown.
    """

    entity_description: CgiEntityDescription
    _unfit_logged = False

    def __init__(
        self,
        entry: CgiCameraConfigEntry,
        description: CgiEntityDescription,
        channel: int,
    ) -> None:
        """Initialize the entity for `channel` (ignored for device-wide groups)."""
        self.key: GroupKey = group_key(description.area, description.group, channel)
        super().__init__(
            entry, description, channel, device_wide=self.key.channel is None
        )

    async def async_added_to_hass(self) -> None:
        """Register the group with the coordinator (only added, enabled entities cost a request) and have it read.

        Read before Home Assistant writes the first state, which is then the camera's value rather than
        "unavailable" until the set-up's poll.
        """
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_register_group(self.key))
        await self.coordinator.async_read_first(self.key)

    @property
    def available(self) -> bool:
        """Return True when the camera answers and the group has been read."""
        return super().available and self.key in self.coordinator.data

    @property
    def block(self) -> ParamGroup | None:
        """Return the group's current values (its first block), if read."""
        if not (blocks := self.coordinator.data.get(self.key)):
            return None
        return blocks[0]

    @property
    def raw_value(self) -> int | str | None:
        """Return the parameter's current value as the camera reports it."""
        if (block := self.block) is None:
            return None
        value: int | str | None = block.get(self.entity_description.param)
        return value

    def unfit(self, value: object) -> None:
        """Note a camera value this entity cannot show (its state is unknown); logged once per entity.

        Not before the entity has its id (Home Assistant reads a select's options while registering it, when another
        entity of the group may already have had the group read): the first state write logs it.
        """
        if not self._unfit_logged and self.entity_id is not None:
            self._unfit_logged = True
            LOGGER.debug(
                "%s: %s is %.40r, which does not fit; state unknown",
                self.entity_id,
                self.entity_description.param,
                value,
            )

    def fitting_int(self, value: object) -> int | None:
        """Return `value` if it is an integer a float represents exactly, else None (see `unfit`)."""
        if isinstance(value, int) and abs(value) <= MAX_EXACT_INT:
            return value
        if value is not None:
            self.unfit(value)
        return None

    def fitting_state(self, value: str | None) -> str | None:
        """Return `value` if Home Assistant can keep it as a state (at most 255 characters), else None (see `unfit`).

        Home Assistant would log an error for every longer state it is given, once a poll.
        """
        if value is not None and len(value) > MAX_LENGTH_STATE_STATE:
            self.unfit(value)
            return None
        return value

    @property
    def capability(self) -> Capability | None:
        """Return the camera's range for this parameter.

        Stream groups answer the query with one block per resolution, each with its own bit-rate and frame-rate
        ranges: use the block of the resolution currently set, else the first block that has the parameter.
        """
        description = self.entity_description
        caps = self.camera.capabilities.get(description.area)
        if caps is None:
            return None
        resolution = self.block.get("Resolution") if self.block is not None else None
        if resolution is not None:
            for candidate in caps.blocks(description.group):
                if candidate.get("Resolution") is not None and candidate[
                    "Resolution"
                ].allows(resolution):
                    if (capability := candidate.get(description.param)) is not None:
                        return capability
        return caps.get(description.group, description.param)

    async def async_set_params(self, params: Mapping[str, int | str]) -> None:
        """Send a set request for this entity's group, then re-read the group."""
        await self.coordinator.async_set(self.key, params, self.setting_name)


def has_group(area: str, group: str) -> Callable[[CgiCameraData, int], bool]:
    """Return a capability check that passes when the camera's query lists `group` (for read-only values)."""

    def _supported(data: CgiCameraData, channel: int) -> bool:
        caps = data.capabilities.get(area)
        return caps is not None and caps.has_group(group)

    return _supported


def has_sd_card_slot(data: CgiCameraData, channel: int) -> bool:
    """Return True when the camera has an SD card device (decided at setup)."""
    return data.sd_card_slot


def records_to_sd_card(
    area: str, group: str, param: str
) -> Callable[[CgiCameraData, int], bool]:
    """Return a check for a recording setting: the camera offers it (settable) and has an SD card slot to record to.

    Firmware lists RecordControl on cameras without a card slot; a recording switch there would do nothing.
    """

    def _supported(data: CgiCameraData, channel: int) -> bool:
        capability = data.capability(area, group, param)
        return data.sd_card_slot and capability is not None and capability.writable

    return _supported


def is_supported(
    description: CgiEntityDescription,
    data: CgiCameraData,
    channel: int,
    *,
    writable: bool,
) -> bool:
    """Return True when the camera has what `description` needs on `channel`."""
    if description.supported_fn is not None:
        return description.supported_fn(data, channel)
    capability = data.capability(description.area, description.group, description.param)
    if capability is None:
        return False
    return capability.writable or not writable


def build_entities[D: CgiEntityDescription, E: CgiEntity](
    entry: CgiCameraConfigEntry,
    descriptions: Iterable[D],
    entity_class: Callable[[CgiCameraConfigEntry, D, int], E],
    *,
    writable: bool,
) -> list[E]:
    """Create one entity per supported description and channel (once for device-wide groups)."""
    data = entry.runtime_data
    entities: list[E] = []
    for description in descriptions:
        for channel in data.channels:
            key = group_key(description.area, description.group, channel)
            if key.channel is None and channel != data.channels[0]:
                continue
            if is_supported(description, data, channel, writable=writable):
                entities.append(entity_class(entry, description, channel))
    return entities
