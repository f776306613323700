"""Wiring: every service built once per app from the settings (``app.extensions``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from redis import Redis
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from lti_tool.domain.activities import KindRegistry
from lti_tool.domain.kinds import all_kinds
from lti_tool.domain.ports import EphemeralStore
from lti_tool.keys import KeyRing
from lti_tool.launch_session import LaunchSessions
from lti_tool.learning_records.records import Routes
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.platform_keys import PlatformKeys
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.lti.service_tokens import ServiceTokens
from lti_tool.lti.state import StateCodec
from lti_tool.peer_review.lms_groups import refresh_course
from lti_tool.persistence.db import make_engine, make_session_factory
from lti_tool.persistence.ephemeral import RedisEphemeralStore, SqlEphemeralStore
from lti_tool.secret_box import SecretBox

USER_AGENT = "Peerlearn/0.1 (+LTI 1.3 tool)"


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: EphemeralStore
    key_ring: KeyRing
    platform_keys: PlatformKeys
    registrations: RegistrationDirectory
    states: StateCodec
    xapi_routes: Routes
    service_tokens: ServiceTokens
    launch_sessions: LaunchSessions
    http: requests.Session
    secret_box: SecretBox
    # The one outbound URL policy (lti_tool.lti.outbound): every fetch of a URL we did
    # not configure ourselves is checked by it.
    outbound: OutboundPolicy
    # Kinds of activity on offer, and the pages each adds (lti_tool.web.kind_pages).
    kinds: KindRegistry = field(default_factory=all_kinds)
    kind_pages: dict[str, Any] = field(default_factory=dict)
    # Providers of course-dependent form options, by name (lti_tool.web.kind_choices).
    choice_providers: dict[str, Any] = field(default_factory=dict)
    # Told (connection, course id) when a course's LMS groups were synced, in that
    # transaction: features that use LMS groups register here (lti_tool.courses.lms_groups).
    groups_changed: list[Callable[[Connection, int], None]] = field(default_factory=list)
    stop_delivery: threading.Event = field(default_factory=threading.Event)
    delivery_thread: threading.Thread | None = None

    def start_in_process_delivery(self) -> None:
        """Deliver learning records from a daemon thread of this process."""
        from lti_tool.learning_records.delivery import StatementWorker  # noqa: PLC0415 - optional

        worker = StatementWorker(self.engine, secrets=self.secret_box)
        self.delivery_thread = threading.Thread(
            target=worker.run_forever, args=(self.stop_delivery,), name="xapi-delivery", daemon=True
        )
        self.delivery_thread.start()

    def close(self) -> None:
        self.stop_delivery.set()
        if self.delivery_thread is not None:
            self.delivery_thread.join(timeout=10)
        self.http.close()
        self.engine.dispose()
        close_store = getattr(self.store, "close", None)
        if close_store is not None:
            close_store()


def build_services(settings: Settings) -> Services:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    store: EphemeralStore
    if settings.redis_url:
        store = RedisEphemeralStore(Redis.from_url(settings.redis_url))
    else:
        store = SqlEphemeralStore.for_url(settings.database_url)
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    key_ring = KeyRing(settings.keys_dir)
    outbound = OutboundPolicy.for_settings(
        development=settings.is_development, allowed_hosts=settings.outbound_allowed_hosts
    )
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        store=store,
        key_ring=key_ring,
        platform_keys=PlatformKeys(
            sessions,
            http=http,
            policy=outbound,
            refetch_interval=settings.jwks_refetch_seconds,
        ),
        registrations=RegistrationDirectory(engine),
        states=StateCodec(settings.secret_key),
        xapi_routes=Routes(engine),
        service_tokens=ServiceTokens(store, key_ring, http=http, policy=outbound),
        launch_sessions=LaunchSessions(
            settings.secret_key, max_age_seconds=settings.launch_session_minutes * 60
        ),
        http=http,
        secret_box=SecretBox(settings.secrets_keys),
        outbound=outbound,
        groups_changed=[refresh_course],
    )
