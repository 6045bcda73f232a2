"""Names that differ between the Home Assistant releases this integration supports (2026.3 to 2026.11).

Each shim names the release that needs it: drop it once hacs.json's `homeassistant` floor reaches that release.
The unit tests run on one release (pytest-homeassistant-custom-component's pin), so the branches for older releases
are covered by the end-to-end test against a real 2026.3 (tests/e2e/test_real_hass.py), not by coverage.
Older than the floor, so imported directly: TargetSelection (2026.1), OptionsFlowWithReload (2025.8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    # HA 2026.9 validates with probatio; its selectors and flow serializers expect probatio schemas.
    import probatio as vol
except ImportError:  # pragma: no cover - HA 2026.3 to 2026.8
    import voluptuous as vol  # type: ignore[no-redef]

if TYPE_CHECKING:
    from homeassistant.helpers import device_registry as dr

__all__ = [
    "BinarySensorDeviceClass",
    "ButtonDeviceClass",
    "CameraEntityFeature",
    "device_config_entry_id",
    "via_device",
    "vol",
]


def device_config_entry_id(device: dr.AnyDeviceEntry) -> str:
    """Return the config entry a device belongs to ("" if none)."""
    # HA 2026.8 gave every device exactly one config entry, `config_entry_id`; before, the integration that
    # created the device is its `primary_config_entry`.
    if hasattr(device, "config_entry_id"):
        return device.config_entry_id
    return device.primary_config_entry or ""  # pragma: no cover - HA 2026.3 to 2026.7


def via_device(host_device_id: str, host_identifier: tuple[str, str]) -> DeviceInfo:
    """Return the device info that links a sub-device to its host device."""
    # HA 2026.8 links by the host's device id (`via_device_id`); before, by one of its identifiers (`via_device`).
    if "via_device_id" in DeviceInfo.__optional_keys__:
        return DeviceInfo(via_device_id=host_device_id)
    return DeviceInfo(via_device=host_identifier)  # type: ignore[typeddict-unknown-key]  # pragma: no cover
