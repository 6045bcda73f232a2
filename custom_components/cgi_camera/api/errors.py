"""Exceptions raised by the CGI client.

No message or attribute ever carries the password or a URL with credentials: messages are built only from the
area, group and result code (and, for transport errors, the exception's class name).
"""

from __future__ import annotations


class CgiError(Exception):
    """Base class of every error raised by the client."""

    def __init__(
        self,
        message: str = "",
        *,
        area: str | None = None,
        group: str | None = None,
        code: int | None = None,
    ) -> None:
        """Store the context (area, group, result code) next to a password-free message."""
        self.area = area
        self.group = group
        self.code = code
        where = "/".join(part for part in (area, group) if part)
        text = message or self.__class__.__name__
        if where:
            text = f"{text} ({where})"
        super().__init__(text)


class CannotConnect(CgiError):
    """The camera could not be reached, reset the connection or sent nothing."""


class CameraTimeout(CannotConnect):
    """The camera did not answer in time."""


class AuthenticationFailed(CgiError):
    """The camera refused the credentials (HTTP 401)."""


class NotFound(CgiError):
    """HTTP 404: the device has no such CGI path (a web server that is not one of these cameras answers so)."""


class MalformedReply(CgiError):
    """The reply could not be understood (bad framing, bad XML, unexpected structure, too large)."""


class ResultCodeError(CgiError):
    """The camera answered with a `<result code>` other than 200."""


class InvalidChannel(ResultCodeError):
    """Result code 401: invalid channel."""


class InvalidValue(ResultCodeError):
    """Result code 402: invalid parameter value."""


class InvalidName(ResultCodeError):
    """Result code 403: invalid parameter name."""


class NotSupported(ResultCodeError):
    """Result code 501: area or group not supported by this camera."""


class NotAvailableInMode(ResultCodeError):
    """Result code 502: supported, but not available in the current mode."""


class ServerFailed(ResultCodeError):
    """Result code 503: the camera's server failed or is overloaded."""


class NoImage(CgiError):
    """The camera returned something that is not a JPEG (e.g. "no Image.")."""


RESULT_CODE_ERRORS: dict[int, type[ResultCodeError]] = {
    401: InvalidChannel,
    402: InvalidValue,
    403: InvalidName,
    501: NotSupported,
    502: NotAvailableInMode,
    503: ServerFailed,
}


def error_for_code(
    code: int, area: str | None = None, group: str | None = None
) -> ResultCodeError:
    """Return the exception matching a non-200 result code."""
    cls = RESULT_CODE_ERRORS.get(code, ResultCodeError)
    return cls(f"result code {code}", area=area, group=group, code=code)
