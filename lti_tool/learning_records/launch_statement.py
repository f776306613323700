"""Learning events of the LTI layer, as xAPI statements (see docs/xapi-profile.md)."""

from __future__ import annotations

from datetime import datetime

from lti_tool.domain.launch import LaunchClaims
from lti_tool.lti.records import LaunchRecord
from lti_tool.lti.registrations import PlatformRegistration
from xapi.statements import Person, Place, Statement, launched


def launched_statement(
    *,
    launch_id: str,
    claims: LaunchClaims,
    record: LaunchRecord,
    platform: PlatformRegistration,
    base_url: str,
    at: datetime,
) -> Statement:
    person = Person(issuer=platform.issuer, sub=claims.person.sub, name=claims.person.name)
    place = Place(
        base_url=base_url,
        platform_pk=platform.id,
        platform_issuer=platform.issuer,
        platform_name=platform.name,
        deployment_id=claims.deployment_id,
        context_pk=record.context_id,
        context_lti_id=claims.context.id if claims.context else None,
        context_title=record.context_title,
        link_pk=record.resource_link_id,
        link_lti_id=claims.resource_link.id if claims.resource_link else None,
        link_title=record.link_title,
    )
    return launched(
        launch_id=launch_id,
        person=person,
        place=place,
        at=at,
        message_type=claims.message_type,
        roles=claims.roles,
        identify=platform.xapi_share_names,
    )
