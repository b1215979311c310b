"""Lexicon lint: every shipped row parses and is clean, and user lexicon errors are precise."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import despin
from despin.lexicon import (
    NOT_FAMILIES,
    LexiconError,
    load,
    parse_file,
    parse_keep,
    parse_text,
    shipped_dir,
    shipped_families,
)
from despin.tokens import normalize

LEXICONS = sorted(p for p in shipped_dir().glob("*.tsv") if p.stem not in NOT_FAMILIES)
HEADER = ("# despin lexicon\n# format: 1\n# family: test\n# source own: tests; CC0-1.0\n"
          "spun\trestored\tpos\tweight\tscope\tsource\tnote\n")


def test_there_are_shipped_families() -> None:
    assert "news" in shipped_families()


@pytest.mark.parametrize("path", LEXICONS, ids=lambda p: p.name)
def test_shipped_lexicon_is_clean(path: Path) -> None:
    lex = parse_file(path)  # raises on any malformed row
    assert lex.entries, "an empty lexicon"
    assert lex.family == path.stem
    keys = {e.spun: e for e in lex.entries}
    for e in lex.entries:
        assert e.spun == normalize(e.spun)
        assert e.source in lex.sources, f"{e.where}: undeclared source"
        for alt in e.restored:
            assert normalize(alt) != e.spun
            assert not any(c in alt for c in "()[]{}?"), f"{e.where}: note in replacement {alt!r}"
            back = keys.get(normalize(alt))
            # no 2-cycle: restoring A to B must not let B be restored back to A
            assert back is None or e.spun not in map(normalize, back.restored), f"{e.where}: cycle {e.spun}<->{alt}"
    for tag in lex.sources:
        assert ";" in lex.sources[tag], f"source {tag} must state a licence after ';'"


def test_keep_list_parses() -> None:
    keep = parse_keep(shipped_dir() / "keep.tsv")
    assert "university of applied sciences" in keep


# Tortured-phrase keys that are common genuine English, found by a review of the keys (keep.tsv):
# in a short clean text one of them opened the tortured gate alone and was "restored".
GENUINE_KEYS = ["computer organization", "primary growth", "mitigating effect", "review study", "cognitive map"]


@pytest.mark.parametrize("phrase", GENUINE_KEYS)
def test_genuine_english_tortured_keys_are_kept(phrase: str) -> None:
    lexicon = load()
    assert phrase in lexicon.entries and phrase in lexicon.keep, "the key exists and is kept"
    text = f"The second part of the report is about {phrase} and what it means for the work."
    assert despin.restore(text) == text
    assert not despin.scan(text).flags


def test_tortured_phrases_still_restore_beside_the_kept_ones() -> None:
    text = "The second part of the report is about counterfeit consciousness and what it means for the work."
    assert "artificial intelligence" in despin.restore(text)


def test_manifest_matches_files() -> None:
    manifest = shipped_dir() / "MANIFEST.tsv"
    rows = [line.split("\t") for line in manifest.read_text().splitlines()[1:] if line.strip()]
    counted: Counter[tuple[str, str]] = Counter()
    for p in LEXICONS:
        for e in parse_file(p).entries:
            counted[(p.name, e.source)] += 1
    listed = {(r[0], r[2]): int(r[3]) for r in rows}
    assert listed == dict(counted)


def test_every_attribution_licence_is_in_the_notice() -> None:
    """Rows adapted from CC BY data must carry their attribution: each source whose declared
    licence is CC-BY has a section in lexicons/NOTICE, headed by its tag, that gives its row count."""
    notice = (shipped_dir() / "NOTICE").read_text(encoding="utf-8")
    sections = re.split(r"\n(?=lexicons/\S+, rows with source tag )", notice)
    checked = 0
    for p in LEXICONS:
        parsed = parse_file(p)
        counts = Counter(e.source for e in parsed.entries)
        for tag, desc in parsed.sources.items():
            if "CC-BY" not in desc.upper():
                continue
            checked += 1
            own = [sec for sec in sections if sec.startswith(f"lexicons/{p.name}, rows with source tag `{tag}`")]
            assert own, f"{p.name}: source {tag} has no section in lexicons/NOTICE"
            assert f"({counts[tag]:,} in the current file" in " ".join(own[0].split())
    assert checked >= 2  # the zenodo pairs and the Problematic Paper Screener's list


def test_loaded_lexicon_indexes_every_key() -> None:
    from despin.lexicon import word_count
    from despin.tokens import WORD_RE

    lex = load()
    assert len(lex.entries) > 10_000
    index = lex.index()
    for key in lex.entries:
        words = WORD_RE.findall(key)
        assert word_count(key) in index.lengths[words[0]]
        if len(words) > 1:
            assert (words[0], words[1]) in index.pairs


@pytest.mark.parametrize(
    "row, message",
    [
        ("Mentioned\tsaid\n", "not normalised"),
        ("mentioned\t\n", "empty replacement"),
        ("mentioned\tsaid (usually)\n", "note or bracket"),
        ("mentioned\tmentioned\n", "equals its key"),
        ("mentioned\tsaid\tVERBISH\n", "unknown part of speech"),
        ("mentioned\tsaid\t\tlots\n", "not a number"),
        ("mentioned\tsaid\t\t1000\n", "outside"),
        ("mentioned\tsaid\t\t\teverywhere\n", "unknown scope"),
        ("mentioned\tsaid\t\t\t\tnobody\n", "not declared"),
        ("mentioned\tsaid\nmentioned\tstated\n", "duplicate key"),
        ("a b c d e f g h i j k\tx\n", "words"),
    ],
)
def test_user_lexicon_errors_name_file_and_line(row: str, message: str) -> None:
    with pytest.raises(LexiconError) as err:
        parse_text(HEADER + row, "user.tsv")
    assert str(err.value).startswith("user.tsv:"), err.value
    assert message in str(err.value)
    line = int(str(err.value).split(":")[1])
    assert line >= 6


def test_header_is_required() -> None:
    with pytest.raises(LexiconError, match="format"):
        parse_text("# family: x\nspun\trestored\nmentioned\tsaid\n", "u.tsv")
    with pytest.raises(LexiconError, match="column line"):
        parse_text("mentioned\tsaid\n", "u.tsv")


def test_invalid_utf8_lexicon(tmp_path: Path) -> None:
    p = tmp_path / "bad.tsv"
    p.write_bytes(HEADER.encode() + b"caf\xe9\tcoffee\n")
    with pytest.raises(LexiconError, match="bad.tsv:6: not valid UTF-8"):
        parse_file(p)


def _script(name: str) -> Any:
    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tortured_rows_restore_the_term_their_key_spells() -> None:
    """Rows curated by term cluster listed the whole cluster: "rough set hypothesis" offered
    *rough set* first, "long range interpersonal communication" *social networking site*. The
    shipped file is aligned (scripts/align_tortured_alternatives.py changes nothing), and the
    alignment does what it says on rows of that kind."""
    align = _script("align_tortured_alternatives")
    _, changed = align.aligned((shipped_dir() / "tortured.tsv").read_text(encoding="utf-8").splitlines(keepends=True))
    assert changed == 0
    rows = [
        "harsh set\trough set|rough set theory\t\t5\t\town\n",
        "harsh set hypothesis\trough set|rough set theory\t\t5\t\town\n",
        "rough set hypothesis\trough set|rough set theory\t\t5\t\town\n",
        "bogus positive rates\tfalse positive|false positives|false positive rate|false positive rates\t\t5\t\town\n",
        "bogus positive\tfalse positive|false positives|false positive rate|false positive rates\t\t5\t\town\n",
        "web of things (iot)\tinternet of things|internet of things devices\t\t5\t\town\n",
        "web of things\tinternet of things|internet of things devices\t\t5\t\town\n",
    ]
    out, changed = align.aligned(rows)
    got = {line.split("\t")[0]: line.split("\t")[1] for line in out}
    assert got["harsh set"] == "rough set"  # another key extends it: the base term only
    assert got["harsh set hypothesis"] == "rough set theory"  # the tail: the longer term only
    assert got["rough set hypothesis"] == "rough set theory"  # a base term written as is, then a tail
    assert got["bogus positive rates"] == "false positive rates|false positive rate"  # number agrees
    assert got["bogus positive"] == "false positive|false positives"
    assert got["web of things (iot)"] == "internet of things|internet of things devices"  # acronym: as is
    assert got["web of things"] == "internet of things"
    assert changed == 6
