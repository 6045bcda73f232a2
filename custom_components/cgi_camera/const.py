"""Constants for the CGI IP Camera integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

LOGGER = logging.getLogger(__package__)

DOMAIN: Final = "cgi_camera"
MANUFACTURER: Final = "Hankvision OEM"

DEFAULT_PORT: Final = 80
DEFAULT_USERNAME: Final = "admin"
DEFAULT_RTSP_PORT: Final = 554
DEFAULT_ONVIF_PORT: Final = 8999

# Options (config entry options)
CONF_DEFAULT_STREAM: Final = "default_stream"
CONF_RTSP_PORT: Final = "rtsp_port"
CONF_PTZ_SPEED: Final = "ptz_speed"
CONF_PTZ_STEP: Final = "ptz_step_duration"
CONF_PTZ_WATCHDOG: Final = "ptz_watchdog"

STREAM_MAIN: Final = "main"
STREAM_SUB: Final = "sub"

# Polling: a tick every 10 s (a camera that goes away is unavailable within one); what the camera's own app or web
# page may change (image, exposure, motion detection, recording, PTZ) every 30 s, spread over the ticks so that
# each tick sends about one request and needs no heartbeat of its own; every other setting every 5 minutes. Not
# options (Home Assistant's rule): to poll less, disable polling in the entry's system options and call
# homeassistant.update_entity when wanted.
DEFAULT_FAST_INTERVAL: Final = 10  # seconds
DEFAULT_FAST_GROUP_INTERVAL: Final = 30  # seconds
DEFAULT_SLOW_INTERVAL: Final = 300  # seconds
DEFAULT_PTZ_SPEED: Final = 6  # the speed ZoneMinder and vendor apps use
DEFAULT_PTZ_STEP: Final = 0.5  # seconds a PTZ button moves
DEFAULT_PTZ_WATCHDOG: Final = 10.0  # seconds before an unreleased ptz_start is stopped

# Consecutive HTTP 401s before reauth is requested: weak-Wi-Fi cameras report spurious ones, and retrying a wrong
# password fast can lock the camera.
AUTH_FAILURES_BEFORE_REAUTH: Final = 3

REQUEST_TIMEOUT: Final = 10.0
FAST_SCAN: Final = timedelta(seconds=DEFAULT_FAST_INTERVAL)
FAST_GROUP_SCAN: Final = timedelta(seconds=DEFAULT_FAST_GROUP_INTERVAL)
SLOW_SCAN: Final = timedelta(seconds=DEFAULT_SLOW_INTERVAL)
