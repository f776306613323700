"""The LRS client keeps its credentials on its endpoint and never keeps a whole body."""

from __future__ import annotations

from flask import Flask, Response, request

from tests.support.servers import free_port, serving
from xapi.lrs import MAX_REASON, LrsClient


def test_credentials_never_follow_a_redirect_and_bodies_are_cut() -> None:
    seen: list[str] = []
    app = Flask("lrs")

    @app.route("/xAPI/statements", methods=["GET", "POST"])
    def statements() -> Response:
        seen.append(request.path)
        return Response("", 307, headers={"Location": "/elsewhere/statements"})

    @app.route("/elsewhere/statements", methods=["GET", "POST"])
    def elsewhere() -> Response:
        seen.append(request.path)
        return Response("secret\x1b[2J" + "z" * 5000, 400)

    port = free_port()
    with serving(app, "127.0.0.1", port):
        client = LrsClient(f"http://127.0.0.1:{port}/xAPI", "key", "secret")
        reply = client.post([{"id": "x"}])
        assert (reply.status, seen) == (307, ["/xAPI/statements"])
        got, _ = client.get("x")
        assert got.status == 307
        direct = LrsClient(f"http://127.0.0.1:{port}/elsewhere", "key", "secret").post([])
        client.close()
    assert direct.status == 400
    assert len(direct.text) <= MAX_REASON
    assert "\x1b" not in direct.text
