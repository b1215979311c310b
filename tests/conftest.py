"""Shared fixtures: the shared dev material next to the project, when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared dev material (../shared); tests that need it skip on a fresh clone."""
    if not (SHARED / "examples").is_dir():
        pytest.skip("../shared is not present (fresh clone)")
    return SHARED
