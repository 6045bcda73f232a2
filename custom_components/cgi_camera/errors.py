"""The one place that turns the client's errors into translated Home Assistant errors.

Every entity setter, button, action and the PTZ controller raises through `camera_errors`, so a user always reads
what the camera said (result code 402 is "refused the value", 502 "not in the current mode"...), never a raw code.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError

from .api import (
    AuthenticationFailed,
    CameraTimeout,
    CannotConnect,
    CgiError,
    InvalidChannel,
    InvalidName,
    InvalidValue,
    MalformedReply,
    NoImage,
    NotAvailableInMode,
    NotSupported,
    ResultCodeError,
    ServerFailed,
)
from .const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Iterator

# Most specific class first is not needed: the lookup walks the error's MRO, so a subclass wins over its base.
_TRANSLATION_KEYS: dict[type[CgiError], str] = {
    CameraTimeout: "camera_timeout",
    CannotConnect: "camera_unreachable",
    AuthenticationFailed: "camera_auth",
    MalformedReply: "camera_malformed",
    InvalidChannel: "camera_invalid_channel",
    InvalidValue: "camera_invalid_value",
    InvalidName: "camera_invalid_name",
    NotSupported: "camera_not_supported",
    NotAvailableInMode: "camera_not_available",
    ServerFailed: "camera_busy",
    ResultCodeError: "camera_result_code",
    NoImage: "camera_no_image",
    CgiError: "camera_error",
}


def translation_key(err: CgiError) -> str:
    """Return the translation key of the message for `err`."""
    for cls in type(err).__mro__:
        if (key := _TRANSLATION_KEYS.get(cls)) is not None:
            return key
    return "camera_error"  # pragma: no cover - CgiError is in every MRO above


def translated_error(err: CgiError, what: str) -> HomeAssistantError:
    """Return the translated error for `err`; `what` names the setting or action the user tried."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=translation_key(err),
        translation_placeholders={
            "what": what,
            "code": str(err.code) if err.code is not None else "?",
        },
    )


@contextmanager
def camera_errors(what: str) -> Iterator[None]:
    """Raise any client error inside the block as a translated `HomeAssistantError` naming `what`."""
    try:
        yield
    except CgiError as err:
        raise translated_error(err, what) from err
