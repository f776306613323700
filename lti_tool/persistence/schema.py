"""Every table: the one place that imports all model modules, for whoever needs them all
(Alembic's autogenerate and check, tests that empty every table)."""

from __future__ import annotations

from lti_tool.persistence import library_models, models, peer_review_models
from lti_tool.persistence.base import Base

MODEL_MODULES = (models, peer_review_models, library_models)
metadata = Base.metadata

__all__ = ["MODEL_MODULES", "Base", "metadata"]
