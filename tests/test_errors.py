"""The one mapping from client errors to translated Home Assistant errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custom_components.cgi_camera import errors
from custom_components.cgi_camera.api import (
    CameraTimeout,
    CannotConnect,
    CgiError,
    InvalidValue,
    NotAvailableInMode,
    ResultCodeError,
)
from custom_components.cgi_camera.api.errors import error_for_code

EN = json.loads(
    (
        Path(__file__).parents[1] / "custom_components/cgi_camera/translations/en.json"
    ).read_text()
)


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (CameraTimeout("t"), "camera_timeout"),
        (CannotConnect("c"), "camera_unreachable"),
        (InvalidValue("v", code=402), "camera_invalid_value"),
        (NotAvailableInMode("m", code=502), "camera_not_available"),
        (error_for_code(599), "camera_result_code"),
        (ResultCodeError("r", code=600), "camera_result_code"),
        (CgiError("x"), "camera_error"),
    ],
)
def test_each_error_has_its_message(error: CgiError, key: str) -> None:
    """The most specific class decides the message, and every message exists in English."""
    assert errors.translation_key(error) == key
    assert "{what}" in EN["exceptions"][key]["message"]


def test_camera_errors_names_the_setting() -> None:
    """Inside the block a client error becomes a translated error naming the setting and the code."""
    with (
        pytest.raises(errors.HomeAssistantError) as caught,
        errors.camera_errors("Brightness"),
    ):
        raise error_for_code(502, "image", "ImageInfo")
    assert caught.value.translation_key == "camera_not_available"
    assert caught.value.translation_placeholders == {
        "what": "Brightness",
        "code": "502",
    }
    assert isinstance(caught.value.__cause__, NotAvailableInMode)
