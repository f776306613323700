"""LRS passwords encrypted at rest

``lrs_destination.password`` (clear text) becomes ``sealed_password``: a Fernet token
made with the newest key of ``PEERLEARN_SECRETS_KEYS``. Existing rows are encrypted here,
with the keys the caller passes (``config.attributes["secrets_keys"]``) or the settings'
keys (``peerlearn db upgrade`` reads the same environment as the app); a database with
no LRS needs no key. The downgrade decrypts them again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from lti_tool.secret_box import SecretBox

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DESTINATION = sa.table(
    "lrs_destination",
    sa.column("id", sa.Integer),
    sa.column("password", sa.String),
    sa.column("sealed_password", sa.Text),
)


def _box() -> SecretBox:
    keys = context.config.attributes.get("secrets_keys")
    if keys is None:
        from config import load_settings  # noqa: PLC0415 - only when rows need a key

        keys = load_settings().secrets_keys
    return SecretBox(keys)


def _convert(source: str, target: str, change: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(DESTINATION.c.id, DESTINATION.c[source]).where(DESTINATION.c[source].is_not(None))
    ).all()
    if not rows:
        return
    box = _box()
    for destination_id, value in rows:
        converted = box.seal(value) if change == "seal" else box.open(value)
        connection.execute(
            sa.update(DESTINATION)
            .where(DESTINATION.c.id == destination_id)
            .values({target: converted})
        )


def upgrade() -> None:
    with op.batch_alter_table("lrs_destination") as batch:
        batch.add_column(sa.Column("sealed_password", sa.Text(), nullable=True))
    _convert("password", "sealed_password", "seal")
    with op.batch_alter_table("lrs_destination") as batch:
        batch.alter_column("sealed_password", existing_type=sa.Text(), nullable=False)
        batch.drop_column("password")


def downgrade() -> None:
    with op.batch_alter_table("lrs_destination") as batch:
        batch.add_column(sa.Column("password", sa.String(length=1024), nullable=True))
    _convert("sealed_password", "password", "open")
    with op.batch_alter_table("lrs_destination") as batch:
        batch.alter_column("password", existing_type=sa.String(length=1024), nullable=False)
        batch.drop_column("sealed_password")
