"""Shared fixtures: the shared dev material next to the project, when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from despin import Restorer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
ORIG = (ROOT / "examples" / "harbour-council.orig.txt").read_text(encoding="utf-8")

# Property and fuzz tests draw the same examples on every run, so that a red suite means that a
# change broke something, not that new dice found an old fault; HYPOTHESIS_PROFILE=explore draws
# new ones (run it now and then: it found the last two faults of protected text).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# A small lexicon for the corpus, batch and integration tests: independent of the shipped
# lexicons (which change), quick to load, and enough to change the bundled example.
LEXICON = (
    "# despin lexicon\n# format: 1\n# family: corpustest\n# source own: tests; CC0-1.0\n"
    "spun\trestored\tpos\tweight\tscope\tsource\tnote\n"
    "metropolis\tcity\nmentioned\tsaid\nfinal 12 months\tlast year\ninformed\ttold\nassembly\tmeeting\n"
    "subsequent\tnext\napprehensive\tworried\nin regards to the\tabout the\nhistorical past\thistory\n"
    "proprietor\towner\ncommerce\ttrade\n"
)


@pytest.fixture(scope="session", autouse=True)
def lexicon_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled lexicons cached in the session's temporary folder, not the user's cache (the
    command-line tests' subprocesses inherit it)."""
    os.environ["DESPIN_CACHE_DIR"] = str(tmp_path_factory.mktemp("despin-cache"))


@pytest.fixture(scope="session")
def lex(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test lexicon, at one path for the whole session (lexicons are cached by path)."""
    p = tmp_path_factory.getbasetemp() / "despin-corpus-test.tsv"
    p.write_text(LEXICON, encoding="utf-8")
    return str(p)


@pytest.fixture(scope="session")
def restorer(lex: str) -> Restorer:
    """The test lexicon alone (modules may override this fixture)."""
    r = Restorer(families=(), lexicons=(lex,))
    assert r.restore(EXAMPLE) != EXAMPLE, "precondition: the example has changes to make"
    return r


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared dev material (../shared); tests that need it skip on a fresh clone."""
    if not (SHARED / "examples").is_dir():
        pytest.skip("../shared is not present (fresh clone)")
    return SHARED
