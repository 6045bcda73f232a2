"""Names that differ between the Home Assistant releases this integration supports (2026.3 to 2026.11).

Each shim names the release that needs it: drop it once hacs.json's `homeassistant` floor reaches that release.
The unit tests run on one release (pytest-homeassistant-custom-component's pin), so the branches for older releases
are covered by the end-to-end test against a real 2026.3 (tests/e2e/test_real_hass.py), not by coverage.
Older than the floor, so imported directly: OptionsFlowWithReload (2025.8), service.async_register_platform_entity_service
(2025.9).
"""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo

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

__all__ = [
    "BinarySensorDeviceClass",
    "ButtonDeviceClass",
    "CameraEntityFeature",
    "via_device",
    "vol",
]


def via_device(host_device_id: str, host_identifier: tuple[str, str]) -> DeviceInfo:
    """Return the device info that links a sub-device to its host device."""
    # HA 2026.4 links by the host's device id (`via_device_id`); 2026.3 by one of its identifiers (`via_device`).
    if "via_device_id" in DeviceInfo.__optional_keys__:
        return DeviceInfo(via_device_id=host_device_id)
    return DeviceInfo(via_device=host_identifier)  # type: ignore[typeddict-unknown-key]  # pragma: no cover
