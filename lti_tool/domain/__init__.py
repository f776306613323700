"""Pure domain logic: no Flask, pylti1p3, SQLAlchemy or marshmallow (import-linter checks)."""
