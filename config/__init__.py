"""Peerlearn settings: one frozen, typed object read from ``PEERLEARN_*`` variables."""

from config.settings import Environment, Settings, SettingsError, load_settings

__all__ = ["Environment", "Settings", "SettingsError", "load_settings"]
