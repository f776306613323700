"""A small LMS built on the ``lti1p3platform`` package, free of any web framework.

It signs id_tokens, serves its key set and answers the tool's OIDC auth requests. The
adapter absorbs the package's rough edges: it never sets a ``kid`` (jwcrypto's
``from_pem`` adds none), parses its PEM key on every signature, and never checks that the
tool's ``redirect_uri`` is the registered one.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LtiException

from lti_tool.demo.adapters import DemoConf, DemoLaunch, DemoLogin, DemoRegistration, ParamsRequest
from lti_tool.demo.course_groups import DemoCourseGroups, grant_groups_scope
from lti_tool.demo.gradebook import Gradebook
from lti_tool.demo.model import (
    CLAIM,
    DEEP_LINKING_HINT,
    DEMO_COURSE,
    DEMO_PEOPLE,
    DL_CLAIM,
    INSTRUCTOR,
    LEARNER,
    Course,
    DemoError,
    DemoLink,
    LaunchForm,
    Person,
    ToolEndpoints,
)

__all__ = [  # what the demo's web layer and the tests import from here
    "DEEP_LINKING_HINT",
    "DEMO_COURSE",
    "DEMO_PEOPLE",
    "INSTRUCTOR",
    "LEARNER",
    "DemoError",
    "DemoLink",
    "DemoPlatform",
    "LaunchForm",
    "Person",
    "ToolEndpoints",
    "load_or_create_key",
]


class DemoPlatform:
    """One platform (issuer) with one registration of the tool."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        deployment_id: str,
        private_key: rsa.RSAPrivateKey,
        tool: ToolEndpoints,
        people: tuple[Person, ...] = DEMO_PEOPLE,
        course: Course = DEMO_COURSE,
        platform_storage: bool = False,
    ) -> None:
        self.issuer = issuer
        # Offer LTI Platform Storage (lti_storage_target) with each login by default.
        self.platform_storage = platform_storage
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.tool = tool
        self.people = {person.id: person for person in people}
        self.course = course
        self._lock = threading.Lock()
        # Token requests by scope set, as an LMS operator would count them.
        self.token_requests: Counter[str] = Counter()
        # The roster's change log: a sequence number per change, so the roster can offer
        # a "differences" link (members changed since a version of the roster).
        self.statuses = {person.id: "Active" for person in people}
        self._changes: dict[str, int] = {}
        self.roster_version = 0
        self.changes_kept_from = 0
        self.offer_differences = True
        self.registration = DemoRegistration(private_key)
        self.gradebook = Gradebook(base_url=issuer + "/ags/lineitems")
        self.links: dict[str, DemoLink] = {
            course.link_id: DemoLink(course.link_id, course.link_title)
        }
        self.deep_link_return_url = issuer + "/deep-linking/return"
        self.deep_linking_responses: list[dict[str, Any]] = []
        self.gradebook_online = True
        self.memberships_url = issuer + "/nrps/memberships"
        self.course_groups = DemoCourseGroups(issuer)
        (
            self.registration.set_iss(issuer)
            .set_client_id(client_id)
            .set_deployment_id(deployment_id)
            .set_oidc_login_url(tool.login_url)
            .set_launch_url(tool.launch_url)
            .set_tool_key_set_url(tool.jwks_url)
        )

    def rotate_key(self) -> None:
        """Sign with a new key from now on, as platforms do from time to time."""
        self.registration.use_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def access_token(self, form: Mapping[str, str]) -> dict[str, Any]:
        """The OAuth 2 token endpoint (client credentials with a signed client assertion)."""
        with self._lock:
            self.token_requests[str(form.get("scope", ""))] += 1
        conf = DemoConf(registration=self.registration)
        try:
            granted = dict(conf.get_access_token(dict(form)))
        except LtiException as error:
            if "Unable to find public key" not in str(error):
                raise
            # lti1p3platform caches the tool's key set for ever; after a tool key rotation,
            # look again once.
            self.registration.set_tool_key_set(None)
            granted = dict(conf.get_access_token(dict(form)))
        grant_groups_scope(self, form, granted)
        return granted

    def accept_deep_linking_response(self, token: str) -> list[DemoLink]:
        """Validate the tool's ``LtiDeepLinkingResponse`` and add its links to the course.

        lti1p3platform checks the signature against the tool's key set and the message
        type; the adapter adds what it leaves out: issuer, audience, deployment, the
        echoed ``data``, and that the token is dated.
        """
        conf = DemoConf(registration=self.registration)
        try:
            items = conf.validate_deeplinking_resp({"JWT": token})
        except LtiException as error:
            if "Unable to find public key" not in str(error):
                raise DemoError(str(error)) from error
            self.registration.set_tool_key_set(None)  # the tool rotated its key
            items = conf.validate_deeplinking_resp({"JWT": token})
        body = jwt.decode(token, options={"verify_signature": False})
        audience = body.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        expected = {
            "iss": (body.get("iss"), self.client_id),
            "aud": (self.issuer in audiences, True),
            "deployment_id": (body.get(CLAIM + "deployment_id"), self.deployment_id),
            "data": (body.get(DL_CLAIM + "data"), "opaque-" + self.course.id),
            "dated": (isinstance(body.get("iat"), int) and isinstance(body.get("exp"), int), True),
            "nonce": (bool(body.get("nonce")), True),
        }
        for name, (found, wanted) in expected.items():
            if found != wanted:
                raise DemoError(f"deep-linking response: {name} is {found!r}")
        added = []
        for item in items:
            link_id = "link-" + uuid.uuid4().hex[:12]
            line_item = item.get("lineItem")
            line_item_id = None
            if isinstance(line_item, dict):
                created = self.gradebook.create({**line_item, "resourceLinkId": link_id})
                line_item_id = created["id"].rsplit("/", 1)[-1]
            link = DemoLink(
                id=link_id,
                title=str(item.get("title") or "Peerlearn"),
                text=str(item.get("text") or ""),
                custom=dict(item.get("custom") or {}),
                line_item_id=line_item_id,
            )
            self.links[link_id] = link
            added.append(link)
        self.deep_linking_responses.append(body)
        return added

    def enrol(self, person: Person) -> None:
        with self._lock:
            self.people[person.id] = person
            self._change(person.id, "Active")

    def set_status(self, person_id: str, status: str) -> None:
        """Active, Inactive, or Deleted (unenrolled: gone from the full roster)."""
        with self._lock:
            self._change(person_id, status)

    def forget_changes(self) -> None:
        """Drop the change log, as LMSs do after a while: older differences links fail."""
        with self._lock:
            self.changes_kept_from = self.roster_version

    def _change(self, person_id: str, status: str) -> None:
        self.roster_version += 1
        self.statuses[person_id] = status
        self._changes[person_id] = self.roster_version

    def members(self, since: int | None = None) -> list[dict[str, Any]]:
        """The course roster as Names and Role Provisioning Services lists it: everyone
        enrolled, or (``since`` a roster version) everyone changed since, with status."""
        with self._lock:
            if since is None:
                listed = [p for p in self.people.values() if self.statuses[p.id] != "Deleted"]
            else:
                listed = [p for p in self.people.values() if self._changes.get(p.id, 0) > since]
            statuses = dict(self.statuses)
        return [
            {
                "user_id": person.id,
                "roles": list(person.roles),
                "status": statuses[person.id],
                **{
                    key: value
                    for key, value in (
                        ("name", person.name),
                        ("given_name", person.given_name),
                        ("family_name", person.family_name),
                        ("email", person.email),
                    )
                    if value
                },
            }
            for person in listed
        ]

    def authorised(self, authorization: str | None, scopes: list[str]) -> bool:
        """True for a bearer token this platform issued with one of ``scopes``."""
        if not authorization or not authorization.startswith("Bearer "):
            return False
        try:
            return bool(
                DemoConf(registration=self.registration).validate_token(
                    authorization.removeprefix("Bearer "), allowed_scopes=scopes
                )
            )
        except Exception:  # any bad token is simply not authorised
            return False

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": self.registration.get_jwks()}

    def login_url(
        self, person_id: str, *, link_id: str | None = None, storage: bool | None = None
    ) -> str:
        """Third-party initiated login: where the LMS sends the browser first.

        With ``storage`` (default: the platform's ``platform_storage``), the login names
        the course page (``_parent`` of the tool's frame) as the LTI Platform Storage
        target; the page answers the tool's postMessages (``lms_platform_storage.js``).
        """
        login = DemoLogin(None, DemoConf(registration=self.registration))
        login.set_lti_message_hint(hint=link_id or self.course.link_id)
        url = str(login.prepare_preflight_url(person_id))
        if self.platform_storage if storage is None else storage:
            url += ("&" if "?" in url else "?") + urlencode({"lti_storage_target": "_parent"})
        return url

    def tool_origin(self) -> str:
        """The origin the tool's postMessages come from: that of its login URL."""
        parts = urlsplit(self.tool.login_url)
        return f"{parts.scheme}://{parts.netloc}"

    def claims(
        self, auth_params: Mapping[str, str], extra: Mapping[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Check the tool's auth request and build the launch claims (not yet signed)."""
        self._check_auth_request(auth_params)
        person = self.people.get(auth_params.get("login_hint", ""))
        if person is None:
            raise DemoError("unknown login_hint")
        hint = auth_params.get("lti_message_hint") or self.course.link_id
        link = None if hint == DEEP_LINKING_HINT else self.links.get(hint)
        if link is None and hint != DEEP_LINKING_HINT:
            raise DemoError("unknown lti_message_hint")
        launch = DemoLaunch(
            ParamsRequest(auth_params),
            DemoConf(registration=self.registration),
            person=person,
            course=self.course,
            extra={**self.course_groups.claim(), **(extra or {})},
            lineitems_url=self.gradebook.base_url,
            memberships_url=self.memberships_url,
            link=link,
            line_item_url=self.gradebook.url(link.line_item_id)
            if link and link.line_item_id
            else None,
            deep_link_return_url=self.deep_link_return_url,
        )
        launch.validate_preflight_response(dict(auth_params))
        launch.prepare_launch(dict(auth_params))
        message, state = launch.get_launch_data()
        return state, message

    def sign(self, claims: dict[str, Any], *, expiration: int | None = 300) -> str:
        return self.registration.platform_encode_and_sign(dict(claims), expiration=expiration)

    def authorize(self, auth_params: Mapping[str, str]) -> LaunchForm:
        """Answer the tool's OIDC auth request with a signed launch."""
        state, claims = self.claims(auth_params)
        return LaunchForm(action=self.tool.launch_url, id_token=self.sign(claims), state=state)

    def _check_auth_request(self, params: Mapping[str, str]) -> None:
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "client_id": self.client_id,
        }
        for name, value in expected.items():
            if params.get(name) != value:
                raise DemoError(f"{name} must be {value!r}")
        if params.get("redirect_uri") != self.tool.launch_url:
            raise DemoError("redirect_uri is not the registered launch URL")
        if not params.get("nonce") or not params.get("state"):
            raise DemoError("nonce and state are required")


def load_or_create_key(path: Any) -> rsa.RSAPrivateKey:
    """The demo platform's key, kept in the instance folder across restarts."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DemoError(f"{path} is not an RSA key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key
