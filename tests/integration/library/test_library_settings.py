"""The library's settings: read from the environment, and a bad video provider list
stops the app at start-up instead of failing on the first item page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import SettingsError, load_settings
from lti_tool import create_app
from tests.conftest import make_settings


def test_library_settings_are_read(tmp_path: Path) -> None:
    providers = json.dumps(
        [
            {
                "name": "campus",
                "url": "https://v.example.edu/w/{id}",
                "embed": "https://v.example.edu/e/{id}",
            }
        ]
    )
    settings = load_settings(
        {
            "PEERLEARN_INSTANCE_DIR": str(tmp_path),
            "PEERLEARN_KEYS_DIR": str(tmp_path / "keys"),
            "PEERLEARN_LIBRARY_MAX_FILE_MB": "5",
            "PEERLEARN_VIDEO_PROVIDERS": providers,
        }
    )
    assert settings.library_max_file_mb == 5
    assert settings.video_providers == providers
    with pytest.raises(SettingsError, match="LIBRARY_MAX_FILE_MB"):
        load_settings(
            {
                "PEERLEARN_INSTANCE_DIR": str(tmp_path),
                "PEERLEARN_LIBRARY_MAX_FILE_MB": "0",
            }
        )


def test_a_bad_provider_list_stops_the_app(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        video_providers='[{"name": "evil", "url": "https://x/{id}", "embed": "javascript:{id}"}]',
    )
    with pytest.raises(SettingsError, match="PEERLEARN_VIDEO_PROVIDERS: video provider 'evil'"):
        create_app(settings)
