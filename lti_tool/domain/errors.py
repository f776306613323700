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
