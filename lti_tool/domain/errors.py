"""Errors people can read. Each maps, in one place, to an HTML page or a problem document."""

from __future__ import annotations


class PeerlearnError(Exception):
    """Base of every error shown to a user: a stable code, a status and a human message."""

    code = "error"
    status = 400
    title = "Something went wrong"
    advice = "Reopen the activity from your course. If it keeps happening, tell your teacher."

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class LaunchRefused(PeerlearnError):
    """An LTI login or launch we will not accept."""

    code = "launch_refused"
    status = 400
    title = "This launch could not be accepted"


class UnknownPlatform(LaunchRefused):
    code = "unknown_platform"
    status = 403
    title = "Peerlearn is not set up for this LMS"
    advice = (
        "Your LMS administrator needs to register Peerlearn (or this deployment) first. "
        "Show them this page."
    )


class RegistrationAwaitingApproval(UnknownPlatform):
    """A platform that registered itself, not yet approved by a Peerlearn administrator."""

    code = "registration_pending"
    status = 403
    title = "Peerlearn's registration in this LMS awaits approval"
    advice = (
        "A Peerlearn administrator needs to approve this LMS first "
        "(peerlearn platform approve). Show them this page."
    )


class RegistrationFailed(PeerlearnError):
    """LTI Dynamic Registration could not be completed; nothing was stored.

    ``status`` says whose fault it is: 400 for the request, 403 for a host we may not
    register from, 502 for an LMS that is unreachable or answers something unusable.
    """

    code = "registration_failed"
    status = 400
    title = "Peerlearn could not be registered in this LMS"
    advice = (
        "Nothing was registered. Check the registration URL in your LMS and try again; "
        "if it keeps failing, give this page to the Peerlearn administrator."
    )

    def __init__(self, detail: str, *, code: str | None = None, status: int = 400) -> None:
        super().__init__(detail, code=code)
        self.status = status


class SessionExpired(PeerlearnError):
    code = "session_expired"
    status = 401
    title = "Your Peerlearn session has ended"
    advice = "Reopen the activity from your course to continue."


class Forbidden(PeerlearnError):
    code = "forbidden"
    status = 403
    title = "You cannot do that here"
    advice = "If you think you should, ask your teacher."


class NotFound(PeerlearnError):
    code = "not_found"
    status = 404
    title = "Not found"
    advice = "Reopen the activity from your course."


class BadRequest(PeerlearnError):
    code = "bad_request"
    status = 400
    title = "That request was not understood"
