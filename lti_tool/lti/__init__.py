"""Adapters around pylti1p3: tool configuration, login, launch validation, platform keys."""
