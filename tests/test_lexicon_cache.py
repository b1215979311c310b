"""The disk cache of compiled shipped lexicons: used when valid, rebuilt when stale, unreadable
or unwritable, and never the source of a different result."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from despin import lexicon, score
from despin.lexicon import Lexicon, cache_dir

FAMILY = ("paraphrase",)  # the smallest shipped family: quick to compile


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DESPIN_CACHE_DIR", str(folder))
    return folder


def _load() -> Lexicon:
    return lexicon.load.__wrapped__(FAMILY)  # past the per-process cache, as a fresh process does


def test_second_load_comes_from_the_disk_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _load()
    assert not cache.exists() or not list(cache.glob("*.pickle")), "nothing is written before the pre-screen"
    screen = score.screen(built)
    assert len(list(cache.glob("lexicon-*.pickle"))) == 1

    def no_build(*args: object, **kwargs: object) -> Lexicon:
        raise AssertionError("compiled again although the cache is valid")

    monkeypatch.setattr(Lexicon, "build", no_build)
    cached = _load()
    assert cached.families == built.families
    assert cached.derived("screen", no_build) == screen
    key = next(iter(built.entries))
    assert cached.entries[key] == built.entries[key]
    assert cached.index("paraphrase") == built.index("paraphrase")


def test_a_changed_lexicon_file_is_a_different_cache_entry(tmp_path: Path, cache: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = tmp_path / "lexicons"
    shipped.mkdir()
    for name in ("paraphrase.tsv", "keep.tsv"):
        shutil.copy(lexicon.shipped_dir() / name, shipped / name)
    monkeypatch.setattr(lexicon, "shipped_dir", lambda: shipped)
    before = lexicon._cache_path(list(FAMILY))
    with (shipped / "paraphrase.tsv").open("a", encoding="utf-8") as f:
        f.write("zorblatt frumious\tbrilliant plan\n")
    after = lexicon._cache_path(list(FAMILY))
    assert before is not None and after is not None and before != after
    score.screen(_load())
    assert "zorblatt frumious" in _load().entries  # the new row is there, from cache or not


def test_a_corrupt_cache_file_is_rebuilt(cache: Path) -> None:
    path = lexicon._cache_path(list(FAMILY))
    assert path is not None
    cache.mkdir(parents=True)
    path.write_bytes(b"\x80\x05not a pickle")
    got = _load()
    score.screen(got)
    with path.open("rb") as f:
        assert isinstance(pickle.load(f), Lexicon)


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DESPIN_CACHE_DIR", str(blocker / "cache"))
    got = _load()
    assert score.screen(got).floors  # no error escapes
    assert not list(tmp_path.glob(".despin-*.tmp"))


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESPIN_CACHE_DIR", "off")
    assert cache_dir() is None
    assert lexicon._cache_path(list(FAMILY)) is None
    monkeypatch.delenv("DESPIN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "despin"


def test_user_lexicons_are_not_cached(cache: Path, tmp_path: Path) -> None:
    user = tmp_path / "user.tsv"
    user.write_text("# format: 1\n# family: mine\n# source own: tests; CC0-1.0\nspun\trestored\n"
                    "frobnicated\tchanged\n", encoding="utf-8")
    score.screen(lexicon.load.__wrapped__(FAMILY, (str(user),)))
    assert not cache.exists() or not list(cache.glob("*.pickle"))


def test_old_cache_files_are_pruned(cache: Path) -> None:
    cache.mkdir(parents=True)
    for n in range(lexicon._KEEP_FILES + 3):
        old = cache / f"lexicon-old{n}.pickle"
        old.write_bytes(b"")
        os.utime(old, (1e9 + n, 1e9 + n))  # 2001: older than anything written now
    score.screen(_load())
    kept = list(cache.glob("lexicon-*.pickle"))
    assert len(kept) == lexicon._KEEP_FILES
    assert lexicon._cache_path(list(FAMILY)) in kept


def test_a_failed_cache_write_costs_nothing_but_time(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise pickle.PicklingError("cannot pickle")

    monkeypatch.setattr(pickle, "dump", broken)
    got = _load()
    assert score.screen(got).floors
    assert not list(cache.glob("*.pickle")) and not list(cache.glob(".despin-*.tmp"))


def test_rows_parsed_before_the_save_do_not_bloat_the_cache(cache: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a process has parsed (every row, for a simulator) is rebuilt on use, not saved:
    such a file had doubled and made every later start slower."""
    score.screen(_load())
    fresh = next(cache.glob("lexicon-*.pickle")).stat().st_size
    shutil.rmtree(cache)
    lex = _load()
    parsed = sum(len(lex.entries[k]) for k in list(lex.entries))  # every row, parsed and kept
    assert parsed > 1000 and lex.rewritten("paraphrase")
    score.screen(lex)
    saved = next(cache.glob("lexicon-*.pickle"))
    assert saved.stat().st_size == fresh
    again = pickle.loads(saved.read_bytes())
    key = next(iter(lex.entries))
    assert again.entries[key] == lex.entries[key]
