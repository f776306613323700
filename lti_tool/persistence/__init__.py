"""SQLAlchemy models, the database engine and Alembic migrations.

``base`` (the declarative base, common column types), one models module per feature
(``models`` for the core, ``peer_review_models``, ``library_models``), ``schema`` (all of
them, for Alembic and tests), ``db`` (engine, sessions), ``ephemeral``, ``migrate``.
"""
