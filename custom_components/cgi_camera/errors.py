"""The one place that turns the client's errors into translated Home Assistant errors.

Every entity setter, button, action and the PTZ controller raises through `camera_errors`, so a user always reads
what the camera said (result code 402 is "refused the value", 502 "not in the current mode"...), never a raw code.

The frontend renders these messages in the user's language with the placeholders as they were sent, so a placeholder
carries only what reads the same in every language: the entity's name (translated by Home Assistant) or the camera's
own name (the user's), and the result code. Never a code key or an English phrase ("PTZ stop", "UART send"): the
message itself says what went wrong. Log lines use `plain_words`, the same reasons in English without class names.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

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


# What each error means, for log lines (English, like every Home Assistant log); the class and the CGI group it came
# from are for debug lines only.
_PLAIN_WORDS: dict[type[CgiError], str] = {
    CameraTimeout: "the camera did not answer in time",
    CannotConnect: "could not connect to the camera",
    AuthenticationFailed: "the camera refused the username or password",
    MalformedReply: "the camera sent a reply that could not be understood",
    ResultCodeError: "the camera refused the request",
    NoImage: "the camera sent no image",
    CgiError: "the camera reported an error",
}


def plain_words(err: CgiError) -> str:
    """Return what `err` means in plain English words, for a log line a camera owner reads."""
    for cls in type(err).__mro__:
        if (words := _PLAIN_WORDS.get(cls)) is not None:
            return words
    return "the camera reported an error"  # pragma: no cover - CgiError is in every MRO above


def translation(err: CgiError, what: str) -> dict[str, Any]:
    """Return the translation arguments of a Home Assistant error (or UpdateFailed, ConfigEntryNotReady) for `err`.

    `what` is the entity's translated name, the camera's own name or its address: it reaches every language as it is.
    """
    return {
        "translation_domain": DOMAIN,
        "translation_key": translation_key(err),
        "translation_placeholders": {
            "what": what,
            "code": str(err.code) if err.code is not None else "?",
        },
    }


def translated_error(err: CgiError, what: str) -> HomeAssistantError:
    """Return the translated error for `err`; `what` as for `translation`."""
    return HomeAssistantError(**translation(err, what))


@contextmanager
def camera_errors(what: str) -> Iterator[None]:
    """Raise any client error inside the block as a translated `HomeAssistantError` naming `what` (see above)."""
    try:
        yield
    except CgiError as err:
        raise translated_error(err, what) from err
