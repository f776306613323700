"""Course roles recomputed under the LTI role table

The role table of issue 12 (``lti_tool.domain.roles``) no longer makes an LTI Mentor,
nor institution or system roles, course staff. Memberships stored under the old rule
keep ``course_role = 'staff'`` until the person launches again; this recomputes every
stored membership from the LTI roles it was stored with, so nobody keeps staff rights the
table does not grant (and their staff sessions end: ``courses.roster.session_revoked``).
It uses the table as it stands when the migration runs: that is the rule to apply. Data
only; the downgrade leaves the corrected roles as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lti_tool.domain.roles import course_role

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MEMBERSHIP = sa.table(
    "membership",
    sa.column("id", sa.Integer),
    sa.column("lti_roles", sa.JSON),
    sa.column("course_role", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(MEMBERSHIP.c.id, MEMBERSHIP.c.lti_roles, MEMBERSHIP.c.course_role)
    ).all()
    for row in rows:
        role = course_role(row.lti_roles or []).value
        if role != row.course_role:
            connection.execute(
                sa.update(MEMBERSHIP).where(MEMBERSHIP.c.id == row.id).values(course_role=role)
            )


def downgrade() -> None:
    """Nothing to undo: the roles stored before were the mistake."""
