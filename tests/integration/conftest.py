"""Fixtures shared by the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory for the `souvenir` command: its data there, English, no model server."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUVENIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOUVENIR_OLLAMA__HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("SOUVENIR_LANGUAGE", "en")
    return tmp_path
