"""Moved to :mod:`tests.factories.library`; this name stays only so branches written before
the move still import. New tests import the factories."""

from tests.factories.library import START, Library

__all__ = ["START", "Library"]
