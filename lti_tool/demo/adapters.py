"""Adapters over ``lti1p3platform``'s abstract classes, absorbing its rough edges.

It never sets a ``kid`` (jwcrypto's ``from_pem`` adds none) and parses its PEM key on
every signature: the registration signs with a key object and names its kid. Its launch
builds the deep-linking request itself (the package only does so inside a method that
also renders HTML).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

from lti_tool.demo.model import CLAIM, Course, DemoLink, Person
from lti_tool.keys import rsa_public_jwk, thumbprint


class DemoRegistration(Registration):
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.use_key(private_key)

    def use_key(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        # lti1p3platform signs and checks access tokens with PEM strings.
        self.set_platform_public_key(
            private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode("ascii")
        )
        self.set_platform_private_key(
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode("ascii")
        )
        self._kid = thumbprint(private_key.public_key())
        self._jwk = {
            **rsa_public_jwk(private_key.public_key()),
            "kid": self._kid,
            "alg": "RS256",
            "use": "sig",
        }

    def get_kid(self) -> str:
        return self._kid

    def get_jwks(self) -> list[dict[str, Any]]:
        return [dict(self._jwk)]

    def platform_encode_and_sign(
        self, payload: dict[str, Any], expiration: int | None = None
    ) -> str:
        if expiration:
            now = int(time.time())
            payload.update({"iat": now, "exp": now + expiration})
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": self._kid})


class DemoConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration  # type: ignore[return-value]


class ParamsRequest(Request):
    def build_metadata(self, request: Any) -> TRequest:
        return {
            "method": "GET",
            "form_data": {},
            "get_data": dict(request),
            "headers": {},
            "content_type": None,
            "path": "",
            "json": None,
        }


class DemoLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class DemoLaunch(LTIAdvantageMessageLaunchAbstract):
    def __init__(
        self,
        request: Request,
        conf: DemoConf,
        *,
        person: Person,
        course: Course,
        extra: Mapping[str, Any],
        lineitems_url: str,
        memberships_url: str,
        link: DemoLink | None,
        line_item_url: str | None,
        deep_link_return_url: str,
    ) -> None:
        super().__init__(request, conf)
        self.link = link
        self.line_item_url = line_item_url
        self.deep_link_return_url = deep_link_return_url
        self.lineitems_url = lineitems_url
        self.memberships_url = memberships_url
        self.person = person
        self.course = course
        self.extra = extra
        # lti1p3platform sets this only inside lti_launch(), which also renders HTML.
        self._registration = conf.get_registration()

    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        person, course = self.person, self.course
        self.set_user_data(person.id, list(person.roles), person.name, person.email)
        if person.given_name:
            self.set_extra_claims({"given_name": person.given_name})
        if person.family_name:
            self.set_extra_claims({"family_name": person.family_name})
        self.set_launch_context_claim(
            course.id,
            ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            course.title,
            course.label,
        )
        if self.link is None:
            # Deep linking: no resource link yet, and the settings the tool must honour.
            self.set_dl(
                self.deep_link_return_url,
                title="Add to " + course.title,
                accept_types={"ltiResourceLink"},
                extra_data="opaque-" + course.id,  # type: ignore[arg-type]
            )
            self.set_extra_claims(
                {CLAIM + "message_type": "LtiDeepLinkingRequest", **self._deep_linking_launch_data}
            )
        else:
            self.set_resource_link_claim(self.link.id, title=self.link.title)
            if self.link.custom:
                self.set_extra_claims({CLAIM + "custom": dict(self.link.custom)})
        self.set_launch_presentation_claim("iframe")
        self.set_ags(
            lineitems_url=self.lineitems_url,
            lineitem_url=self.line_item_url,
            allow_creating_lineitems=True,
        )
        self.set_nrps(self.memberships_url)
        self.set_extra_claims(dict(self.extra))

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data
