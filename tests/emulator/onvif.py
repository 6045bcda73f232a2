"""Live motion for the emulated camera: the scene's motion, `/cgi/getAlarmStatus`, and an ONVIF events service.

Fault modes (`OnvifServer.set_fault`): "hang" (requests, pending pulls included, get no answer until the fault is
cleared), "xml_bomb" (an entity-expansion bomb), "xxe" (an external entity), "http500" (HTTP 500 with a plain-text
body); `MotionState.hang_alarm_status()` makes `/cgi/getAlarmStatus` hang.

The ONVIF part is a device + events service on its own port: just enough SOAP 1.2 for onvif-zeep-async's PullPoint
path (GetSystemDateAndTime, GetServices, GetCapabilities, GetEventProperties, CreatePullPointSubscription,
SetSynchronizationPoint, PullMessages with a long-poll timeout, Renew, Unsubscribe), each checked against a
WS-UsernameToken digest whose `Created` must be within five minutes of the camera's clock. Announced addresses name
`announce_host` (a wrong host, as some cameras announce), so a client must pin them to the host it was given.

Motion follows the camera: a trigger only registers while the channel's motion detection (MDInfo MDEnable) is on.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass, field
import datetime as dt
import hashlib
import itertools
import re
import secrets
import time
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import Callable

    from .state import CameraState

__all__ = ["MOTION_AREAS", "MotionState", "OnvifServer"]

MOTION_AREAS = 4
# The most a PullMessages waits, whatever the client asks (cameras cap it too).
MAX_PULL_SECONDS = 60.0
CLOCK_TOLERANCE = 300.0

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "tt": "http://www.onvif.org/ver10/schema",
    "tns1": "http://www.onvif.org/ver10/topics",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "ter": "http://www.onvif.org/ver10/error",
}
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


# Motion -----------------------------------------------------------------------------------------------------------
class MotionState:
    """Which motion areas of each channel see motion now; listeners hear every change."""

    def __init__(self, state: CameraState) -> None:
        """Start with no motion anywhere."""
        self._state = state
        self.areas: dict[int, list[bool]] = {
            ch.number: [False] * MOTION_AREAS for ch in state.channels
        }
        self.listeners: list[Callable[[int, bool], None]] = []
        self._periodic: asyncio.Task[None] | None = None
        # While set, `/cgi/getAlarmStatus` answers; cleared by `hang_alarm_status()` (a hung endpoint).
        self._alarm_status_answers = asyncio.Event()
        self._alarm_status_answers.set()

    def hang_alarm_status(self, hang: bool = True) -> None:
        """Make `/cgi/getAlarmStatus` hang (accept the request, never answer) until called with False."""
        if hang:
            self._alarm_status_answers.clear()
        else:
            self._alarm_status_answers.set()

    async def alarm_status_reply(self) -> str:
        """Return the getAlarmStatus reply once the endpoint answers (see `hang_alarm_status`)."""
        await self._alarm_status_answers.wait()
        return self.alarm_status()

    def detecting(self, channel: int) -> bool:
        """Return True while the channel's motion detection is switched on."""
        return bool(self._state.channel(channel).md_info.data.get("MDEnable"))

    def active(self, channel: int) -> bool:
        """Return True while any area of `channel` sees motion."""
        return any(self.areas[channel])

    def trigger(
        self, channel: int = 1, on: bool = True, areas: tuple[int, ...] = (1,)
    ) -> bool:
        """Start (or end) motion in `areas` (1-based) of `channel`; return False when detection is off."""
        if on and not self.detecting(channel):
            return False
        before = self.active(channel)
        for area in areas:
            self.areas[channel][area - 1] = on
        if (after := self.active(channel)) != before:
            for listener in list(self.listeners):
                listener(channel, after)
        return True

    def clear(self) -> None:
        """End motion everywhere (a reboot does)."""
        for channel in self.areas:
            self.trigger(channel, on=False, areas=tuple(range(1, MOTION_AREAS + 1)))

    def alarm_status(self) -> str:
        """Return `/cgi/getAlarmStatus` as the web UI parses it: the state, then the four areas (channel 1)."""
        areas = self.areas[1] if self.detecting(1) else [False] * MOTION_AREAS
        flags = "&".join("1" if a else "0" for a in areas)
        return f"OK getalarmstatus={int(any(areas))}\r\nalarmArea={flags}\r\n"

    def start_periodic(
        self, every: float, duration: float = 3.0, *, enable_detection: bool = True
    ) -> None:
        """Every `every` seconds, motion in area 1 of each channel for `duration` seconds (the demo's motion)."""
        if enable_detection:
            for ch in self._state.channels:
                ch.md_info.data["MDEnable"] = 1
        self.stop_periodic()
        self._periodic = asyncio.get_running_loop().create_task(
            self._run_periodic(every, duration)
        )

    def stop_periodic(self) -> None:
        """Stop the periodic motion."""
        if self._periodic is not None:
            self._periodic.cancel()
            self._periodic = None

    async def _run_periodic(self, every: float, duration: float) -> None:
        while True:
            await asyncio.sleep(max(every - duration, 0.1))
            for channel in self.areas:
                self.trigger(channel, on=True)
            await asyncio.sleep(duration)
            for channel in self.areas:
                self.trigger(channel, on=False)


# ONVIF ------------------------------------------------------------------------------------------------------------
@dataclass
class Subscription:
    """One PullPoint subscription and the messages waiting for its next PullMessages."""

    ident: str
    expires: float  # monotonic
    queue: list[str] = field(default_factory=list)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, message: str) -> None:
        """Queue a NotificationMessage and wake a waiting pull."""
        self.queue.append(message)
        self.wakeup.set()


@dataclass
class OnvifLog:
    """What the ONVIF service was asked (for tests): operation names in order, and refused requests."""

    operations: list[str] = field(default_factory=list)
    refused: int = 0

    def count(self, operation: str) -> int:
        """Return how many times `operation` was called (authorized or not)."""
        return self.operations.count(operation)


class SoapFault(Exception):
    """A SOAP 1.2 fault to answer with."""

    def __init__(self, subcode: str, reason: str, status: int = 400) -> None:
        """Remember the fault's subcode (e.g. `ter:NotAuthorized`), reason and HTTP status."""
        super().__init__(reason)
        self.subcode = subcode
        self.reason = reason
        self.status = status


class OnvifServer:
    """An ONVIF device + events service for the emulated camera, on its own port."""

    def __init__(
        self,
        state: CameraState,
        motion: MotionState,
        *,
        username: str,
        password: str,
        topic: str = "cell",
        announce_host: str = "192.0.2.10:80",
    ) -> None:
        """Prepare; nothing listens until `start()`. `topic`: "cell" (CellMotionDetector), "alarm" or "none"."""
        self._state = state
        self.motion = motion
        self.username = username
        self.password = password
        self.topic = topic
        self.announce_host = announce_host
        self.host = "127.0.0.1"
        self.port = 0
        self.subscriptions: dict[str, Subscription] = {}
        self.log = OnvifLog()
        self.max_pull_seconds = MAX_PULL_SECONDS
        # A camera that accepts subscriptions but then refuses every pull.
        self.refuse_pulls = False
        # A camera without an events service announces only its device service.
        self.events = True
        # Some cameras grant less than a subscription asks for.
        self.max_subscription_seconds: float | None = None
        # A fault mode (see the module docstring), or None.
        self.fault: str | None = None
        self._answering = asyncio.Event()
        self._answering.set()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._pulls: set[asyncio.Task[None]] = set()
        motion.listeners.append(self._on_motion)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (0 picks a free port; `self.port` tells which)."""
        self.host = host
        app = web.Application()
        app.router.add_post("/onvif/{service:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        self._runner = runner
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening; every subscription is forgotten (as a reboot does)."""
        for sub in self.subscriptions.values():
            sub.wakeup.set()
        self.subscriptions.clear()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def set_fault(self, fault: str | None) -> None:
        """Answer every ONVIF request (pending pulls too) with `fault` from now on; None ends it."""
        if fault not in FAULTS:
            raise ValueError(fault)
        self.fault = fault
        if fault == "hang":
            self._answering.clear()
        else:
            self._answering.set()
            for sub in self.subscriptions.values():
                sub.wakeup.set()

    def drop_subscriptions(self) -> None:
        """Forget every subscription (as a camera short of them does), waking pulls so they fail."""
        for sub in self.subscriptions.values():
            sub.wakeup.set()
        self.subscriptions.clear()

    # Motion to messages -------------------------------------------------------------------------------------------
    def _on_motion(self, channel: int, active: bool) -> None:
        message = self._message(channel, active, "Changed")
        for sub in self.subscriptions.values():
            sub.push(message)

    def _initial(self, sub: Subscription) -> None:
        for channel in self.motion.areas:
            sub.push(self._message(channel, self.motion.active(channel), "Initialized"))

    def _message(self, channel: int, active: bool, operation: str) -> str:
        now = _iso(self._camera_now())
        value = "true" if active else "false"
        if self.topic == "alarm":
            topic = "tns1:VideoSource/MotionAlarm"
            source = f'<tt:SimpleItem Name="Source" Value="VideoSource_{channel}"/>'
            data = f'<tt:SimpleItem Name="State" Value="{value}"/>'
        else:
            topic = "tns1:RuleEngine/CellMotionDetector/Motion"
            source = (
                f'<tt:SimpleItem Name="VideoSourceConfigurationToken" Value="VideoSourceConfig_{channel}"/>'
                f'<tt:SimpleItem Name="VideoAnalyticsConfigurationToken" Value="VideoAnalyticsConfig_{channel}"/>'
                '<tt:SimpleItem Name="Rule" Value="MyMotionDetectorRule"/>'
            )
            data = f'<tt:SimpleItem Name="IsMotion" Value="{value}"/>'
        return (
            "<wsnt:NotificationMessage>"
            f'<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">{topic}</wsnt:Topic>'
            f'<wsnt:Message><tt:Message UtcTime="{now}" PropertyOperation="{operation}">'
            f"<tt:Source>{source}</tt:Source><tt:Data>{data}</tt:Data>"
            "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
        )

    # HTTP ---------------------------------------------------------------------------------------------------------
    def _camera_now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(
            time.time() + self._state.time_offset, dt.UTC
        ).replace(microsecond=0)

    def _address(self, path: str) -> str:
        return f"http://{self.announce_host}/onvif/{path}"

    async def _handle(self, request: web.Request) -> web.Response:
        service = request.match_info["service"]
        try:
            envelope = ET.fromstring(await request.read())  # noqa: S314 - test emulator, loopback only
        except ET.ParseError:
            return _fault(SoapFault("env:Sender", "bad XML"))
        body = envelope.find("env:Body", NS)
        if body is None or len(body) == 0:
            return _fault(SoapFault("env:Sender", "no body"))
        operation = body[0].tag.rpartition("}")[2]
        self.log.operations.append(operation)
        try:
            if operation != "GetSystemDateAndTime":
                self._check_auth(envelope)
            reply = _reply(await self._dispatch(service, operation, body[0]))
        except SoapFault as fault:
            reply = _fault(fault)
        # A fault set while the request waited (a long pull) spoils its answer too.
        await self._answering.wait()
        return _spoiled(self.fault) or reply

    def _check_auth(self, envelope: ET.Element) -> None:
        token = envelope.find("env:Header/wsse:Security/wsse:UsernameToken", NS)
        try:
            if token is None:
                raise SoapFault("ter:NotAuthorized", "no UsernameToken")
            username = token.findtext("wsse:Username", "", NS)
            password = token.find("wsse:Password", NS)
            nonce = base64.b64decode(token.findtext("wsse:Nonce", "", NS))
            created = token.findtext("wsu:Created", "", NS)
            if password is None or username != self.username:
                raise SoapFault("ter:NotAuthorized", "unknown user")
            expected = base64.b64encode(
                hashlib.sha1(nonce + created.encode() + self.password.encode()).digest()
            ).decode()
            if not secrets.compare_digest(expected, (password.text or "").strip()):
                raise SoapFault("ter:NotAuthorized", "wrong password")
            stamp = dt.datetime.fromisoformat(created)
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=dt.UTC)
            skew = abs((stamp - self._camera_now()).total_seconds())
            if skew > CLOCK_TOLERANCE:
                raise SoapFault("ter:NotAuthorized", "stale timestamp")
        except SoapFault:
            self.log.refused += 1
            raise
        except ValueError:
            self.log.refused += 1
            raise SoapFault("ter:NotAuthorized", "bad UsernameToken") from None

    async def _dispatch(self, service: str, operation: str, element: ET.Element) -> str:
        now = self._camera_now()
        match operation:
            case "GetSystemDateAndTime":
                return (
                    "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                    "<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
                    "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime>"
                    f"<tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
                    f"<tt:Second>{now.second}</tt:Second></tt:Time>"
                    f"<tt:Date><tt:Year>{now.year}</tt:Year><tt:Month>{now.month}</tt:Month>"
                    f"<tt:Day>{now.day}</tt:Day></tt:Date>"
                    "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
                )
            case "GetServices":
                services = [(NS["tds"], "device_service")]
                if self.events:
                    services.append((NS["tev"], "event_service"))
                return (
                    "<tds:GetServicesResponse>"
                    + "".join(
                        f"<tds:Service><tds:Namespace>{ns}</tds:Namespace>"
                        f"<tds:XAddr>{self._address(path)}</tds:XAddr>"
                        "<tds:Version><tt:Major>2</tt:Major><tt:Minor>40</tt:Minor></tds:Version></tds:Service>"
                        for ns, path in services
                    )
                    + "</tds:GetServicesResponse>"
                )
            case "GetCapabilities":
                events = (
                    f"<tt:Events><tt:XAddr>{self._address('event_service')}</tt:XAddr>"
                    "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
                    "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
                    "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
                    "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
                )
                return (
                    "<tds:GetCapabilitiesResponse><tds:Capabilities>"
                    f"<tt:Device><tt:XAddr>{self._address('device_service')}</tt:XAddr></tt:Device>"
                    + (events if self.events else "")
                    + "</tds:Capabilities></tds:GetCapabilitiesResponse>"
                )
            case "GetEventProperties":
                return self._event_properties()
            case "CreatePullPointSubscription":
                return self._subscribe(element, now)
            case "SetSynchronizationPoint":
                self._initial(self._subscription(service))
                return "<tev:SetSynchronizationPointResponse/>"
            case "PullMessages":
                return await self._pull(service, element)
            case "Renew":
                sub = self._subscription(service)
                seconds = self._granted(
                    _seconds_until(
                        element.findtext("wsnt:TerminationTime", "", NS), now
                    )
                )
                sub.expires = time.monotonic() + seconds
                return (
                    "<wsnt:RenewResponse>"
                    f"<wsnt:TerminationTime>{_iso(now + dt.timedelta(seconds=seconds))}</wsnt:TerminationTime>"
                    f"<wsnt:CurrentTime>{_iso(now)}</wsnt:CurrentTime></wsnt:RenewResponse>"
                )
            case "Unsubscribe":
                sub = self._subscription(service)
                del self.subscriptions[sub.ident]
                sub.wakeup.set()
                return "<wsnt:UnsubscribeResponse/>"
        raise SoapFault("ter:ActionNotSupported", f"{operation} not supported", 500)

    def _event_properties(self) -> str:
        if self.topic == "alarm":
            topics = (
                '<tns1:VideoSource><MotionAlarm wstop:topic="true"/></tns1:VideoSource>'
            )
        elif self.topic == "none":
            topics = '<tns1:Device><Trigger><DigitalInput wstop:topic="true"/></Trigger></tns1:Device>'
        else:
            topics = (
                '<tns1:RuleEngine><CellMotionDetector><Motion wstop:topic="true"/></CellMotionDetector>'
                "</tns1:RuleEngine>"
            )
        return (
            "<tev:GetEventPropertiesResponse>"
            "<tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml"
            "</tev:TopicNamespaceLocation><wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>"
            f"<wstop:TopicSet>{topics}</wstop:TopicSet>"
            "<wsnt:TopicExpressionDialect>http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
            "</wsnt:TopicExpressionDialect>"
            "<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
            "</tev:MessageContentFilterDialect>"
            "<tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd"
            "</tev:MessageContentSchemaLocation></tev:GetEventPropertiesResponse>"
        )

    def _subscribe(self, element: ET.Element, now: dt.datetime) -> str:
        seconds = self._granted(
            _seconds_until(element.findtext("tev:InitialTerminationTime", "", NS), now)
        )
        ident = str(next(self._ids))
        sub = Subscription(ident, time.monotonic() + seconds)
        self.subscriptions[ident] = sub
        self._initial(sub)
        return (
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
            f"<wsa:Address>{self._address(f'subscription/{ident}')}</wsa:Address>"
            "</tev:SubscriptionReference>"
            f"<wsnt:CurrentTime>{_iso(now)}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{_iso(now + dt.timedelta(seconds=seconds))}</wsnt:TerminationTime>"
            "</tev:CreatePullPointSubscriptionResponse>"
        )

    def _granted(self, seconds: float) -> float:
        if self.max_subscription_seconds is None:
            return seconds
        return min(seconds, self.max_subscription_seconds)

    def _subscription(self, service: str) -> Subscription:
        ident = service.rpartition("/")[2]
        sub = self.subscriptions.get(ident)
        if sub is not None and sub.expires < time.monotonic():
            del self.subscriptions[ident]
            sub = None
        if sub is None:
            raise SoapFault("wsrf-rw:ResourceUnknownFault", "unknown subscription", 400)
        return sub

    async def _pull(self, service: str, element: ET.Element) -> str:
        sub = self._subscription(service)
        if self.refuse_pulls:
            raise SoapFault("ter:Receiver", "pull refused", 500)
        timeout = min(
            _duration(element.findtext("tev:Timeout", "PT0S", NS)),
            self.max_pull_seconds,
        )
        limit = int(element.findtext("tev:MessageLimit", "100", NS) or 100)
        if not sub.queue and self.fault is None:
            sub.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sub.wakeup.wait(), timeout)
        if self.subscriptions.get(sub.ident) is not sub:
            raise SoapFault("wsrf-rw:ResourceUnknownFault", "unknown subscription")
        messages, sub.queue[:] = sub.queue[:limit], sub.queue[limit:]
        now = self._camera_now()
        remaining = max(sub.expires - time.monotonic(), 0)
        return (
            f"<tev:PullMessagesResponse><tev:CurrentTime>{_iso(now)}</tev:CurrentTime>"
            f"<tev:TerminationTime>{_iso(now + dt.timedelta(seconds=remaining))}</tev:TerminationTime>"
            + "".join(messages)
            + "</tev:PullMessagesResponse>"
        )


FAULTS: dict[str | None, bytes] = {
    None: b"",
    "hang": b"",
    # Each entity expands to ten of the one before: about a billion "lol"s.
    "xml_bomb": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
            for n in range(1, 10)
        )
        + b']><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>&lol9;'
        b"</env:Body></env:Envelope>"
    ),
    "xxe": (
        b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>&xxe;'
        b"</env:Body></env:Envelope>"
    ),
    "http500": b"Internal Server Error",
}


def _spoiled(fault: str | None) -> web.Response | None:
    """Return the reply a fault mode gives instead of the real one, or None."""
    if fault == "http500":
        return web.Response(body=FAULTS[fault], status=500, content_type="text/plain")
    if fault in {"xml_bomb", "xxe"}:
        return web.Response(
            body=FAULTS[fault], content_type="application/soap+xml", charset="utf-8"
        )
    return None


def _iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(text: str) -> float:
    match = _DURATION.match(text.strip())
    if match is None:
        raise SoapFault("env:Sender", f"bad duration {text[:40]!r}")
    return (
        int(match["d"] or 0) * 86400
        + int(match["h"] or 0) * 3600
        + int(match["m"] or 0) * 60
        + float(match["s"] or 0)
    )


def _seconds_until(text: str, now: dt.datetime) -> float:
    """Return a subscription's length from a relative (`PT600S`) or absolute termination time."""
    text = text.strip()
    if not text:
        return 600.0
    if text.startswith("P"):
        return _duration(text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SoapFault("env:Sender", "bad termination time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max((moment - now).total_seconds(), 1.0)


_ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?><env:Envelope '
    + " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
    + ' xmlns:wsrf-rw="http://docs.oasis-open.org/wsrf/rw-2"><env:Body>'
)


def _reply(body: str, status: int = 200) -> web.Response:
    return web.Response(
        body=(_ENVELOPE_OPEN + body + "</env:Body></env:Envelope>").encode(),
        status=status,
        content_type="application/soap+xml",
        charset="utf-8",
    )


def _fault(fault: SoapFault) -> web.Response:
    code = "env:Receiver" if fault.status >= 500 else "env:Sender"
    return _reply(
        f"<env:Fault><env:Code><env:Value>{code}</env:Value><env:Subcode><env:Value>{fault.subcode}"
        "</env:Value></env:Subcode></env:Code><env:Reason>"
        f'<env:Text xml:lang="en">{escape(fault.reason)}</env:Text></env:Reason></env:Fault>',
        fault.status,
    )
