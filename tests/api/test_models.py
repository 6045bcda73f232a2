"""Typed models and field-name tolerance (docs/wire-decisions.md "Field names")."""

from __future__ import annotations

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import SdStatus
from custom_components.cgi_camera.sensor import SD_STATES


def test_sd_status_follows_the_document_and_the_sensor() -> None:
    """Defect 11.12: the SDStatus table (spec §3.5.1): 2 = card pulled out, 4 = mounted, 5 = unmounted..."""
    assert SdStatus(2) is SdStatus.REMOVED
    assert SdStatus(3) is SdStatus.FORMATTING
    assert SdStatus(4) is SdStatus.MOUNTED
    assert SdStatus(5) is SdStatus.UNMOUNTED
    assert SdStatus(6) is SdStatus.WRITE_PROTECTED
    assert [status.name.lower() for status in SdStatus] == list(SD_STATES)
