"""Names that differ between the Home Assistant releases this integration supports (2026.3 to 2026.11).

Each shim names the release that needs it: drop it once hacs.json's `homeassistant` floor reaches that release.
The unit tests run on one release (pytest-homeassistant-custom-component's pin), so the branches for older releases
are covered by the end-to-end test against a real 2026.3 (tests/e2e/test_real_hass.py), not by coverage.
Older than the floor, so imported directly: TargetSelection (2026.1), OptionsFlowWithReload (2025.8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.const import ATTR_ENTITY_ID, ENTITY_MATCH_ALL
from homeassistant.core import ServiceCall
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.helpers import service
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)

try:
    # HA 2026.10 moved the device classes and features to `components.<platform>.const`; the packages still
    # import them (so the runtime finds them there in every release) but no longer export them to type checkers.
    from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
    from homeassistant.components.button.const import ButtonDeviceClass
    from homeassistant.components.camera.const import CameraEntityFeature
except ImportError:  # pragma: no cover - HA 2026.3 to 2026.9
    from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined]
        BinarySensorDeviceClass,
    )
    from homeassistant.components.button import (  # type: ignore[attr-defined]
        ButtonDeviceClass,
    )
    from homeassistant.components.camera import (  # type: ignore[attr-defined]
        CameraEntityFeature,
    )

try:
    # HA 2026.10 validates with probatio; its selectors and flow serializers expect probatio schemas.
    import probatio as vol
except ImportError:  # pragma: no cover - HA 2026.3 to 2026.9
    import voluptuous as vol  # type: ignore[no-redef]

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping

    from homeassistant.core import EntityServiceResponse, HomeAssistant
    from homeassistant.helpers.entity import Entity

__all__ = [
    "BinarySensorDeviceClass",
    "ButtonDeviceClass",
    "CameraEntityFeature",
    "batched_entity_service_call",
    "via_device",
    "vol",
]


def via_device(host_device_id: str, host_identifier: tuple[str, str]) -> DeviceInfo:
    """Return the device info that links a sub-device to its host device."""
    # HA 2026.4 links by the host's device id (`via_device_id`); 2026.3 by one of its identifiers (`via_device`).
    if "via_device_id" in DeviceInfo.__optional_keys__:
        return DeviceInfo(via_device_id=host_device_id)
    return DeviceInfo(via_device=host_identifier)  # type: ignore[typeddict-unknown-key]  # pragma: no cover


async def batched_entity_service_call(
    hass: HomeAssistant,
    registered_entities: Callable[[], Mapping[str, Entity]],
    func: Callable[
        [list[Entity], ServiceCall], Coroutine[Any, Any, EntityServiceResponse | None]
    ],
    call: ServiceCall,
) -> EntityServiceResponse | None:
    """Call `func` once with every available targeted entity, as HA's own batched entity service call does."""
    # HA 2026.5 added service.batched_entity_service_call.
    if (batched := getattr(service, "batched_entity_service_call", None)) is not None:
        result: EntityServiceResponse | None = await batched(
            hass, registered_entities, func, call
        )
        return result
    return await _batched_entity_service_call_before_2026_5(
        hass, registered_entities, func, call
    )


async def _batched_entity_service_call_before_2026_5(  # pragma: no cover - HA 2026.3 and 2026.4
    hass: HomeAssistant,
    registered_entities: Callable[[], Mapping[str, Entity]],
    func: Callable[
        [list[Entity], ServiceCall], Coroutine[Any, Any, EntityServiceResponse | None]
    ],
    call: ServiceCall,
) -> EntityServiceResponse | None:
    """What HA 2026.5+ does, through public helpers: the caller's permissions, the targets, no entity fields."""
    allowed: Callable[[str, str], bool] | None = None
    if call.context.user_id:
        user = await hass.auth.async_get_user(call.context.user_id)
        if user is None:
            raise UnknownUser(context=call.context)
        if not user.is_admin:
            allowed = user.permissions.check_entity
    entities = registered_entities()
    if call.data.get(ATTR_ENTITY_ID) == ENTITY_MATCH_ALL:
        wanted = set(entities)
    else:
        selected = async_extract_referenced_entity_ids(hass, TargetSelection(call.data))
        wanted = selected.referenced | selected.indirectly_referenced
    for entity_id in wanted & set(entities):
        if allowed is not None and not allowed(entity_id, POLICY_CONTROL):
            raise Unauthorized(
                context=call.context, entity_id=entity_id, permission=POLICY_CONTROL
            )
    targets = [entities[entity_id] for entity_id in sorted(wanted & set(entities))]
    plain_call = ServiceCall(
        hass,
        call.domain,
        call.service,
        service.remove_entity_service_fields(call),
        context=call.context,
        return_response=call.return_response,
    )
    result = await func([entity for entity in targets if entity.available], plain_call)
    return result if call.return_response else None
