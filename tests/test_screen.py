"""The pre-screen: its count bounds the matcher's evidence, and what it passes needs no change.

The pre-screen lets clean documents skip the pipeline; if its count ever fell below the
matcher's, a spun document could be passed through untouched. The bound is checked on documents
built from the shipped lexicons' own heavy keys, in every case and apostrophe form and with
hostile characters around them, and on the shared dev material, where every document it passes
must also be one that the full document gate finds clean.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from despin import Restorer, score
from despin.lexicon import Lexicon, load
from despin.match import Words, find
from despin.restorer import _Gains
from despin.screen import Screen, fast_tokens

LEXICON = load(None, ())


def heavy_hits(lexicon: Lexicon, text: str) -> Counter[str]:
    """Per family, the matches of its heavy rows: what ``document_report`` counts before the LM
    gain is asked."""
    words = Words(text)
    out: Counter[str] = Counter()
    for m in find(words, lexicon, lexicon.index()):
        for fam in {e.family for e in m.entries}:
            floor = score.FAMILY_GATES.get(fam, score.DEFAULT_GATE)[0]
            if any(e.family == fam and e.weight >= floor for e in m.entries):
                out[fam] += 1
    return out


def _sample_keys() -> list[str]:
    rng = random.Random(7)
    keys = LEXICON.gate_keys(score.GATE_WEIGHTS)
    return [k for fam in sorted(keys) for k in rng.sample(sorted(keys[fam]), min(300, len(keys[fam])))]


KEYS = _sample_keys()
FILLER = ["the", "of", "and", "U.S.", "3.6", "naïve", "café", "日本", "—", "“", "”", "e-mail", "it’s",
          "\u200d", "\ud800", "\n", "(", ")", ",", ".", "'s", "İstanbul", "K", "ǅ"]


def _cased(key: str, how: int) -> str:
    if how == 1:
        return key.title()
    if how == 2:
        return key.upper()
    if how == 3:
        return key.replace("'", "’")
    return key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KEYS + FILLER), st.integers(0, 3),
                          st.sampled_from([" ", "  ", ", ", "\n", "-", ""])), min_size=1, max_size=40))
def test_the_count_bounds_the_matchers_evidence(parts: list[tuple[str, int, str]]) -> None:
    text = "".join(_cased(w, how) + sep for w, how, sep in parts)
    bound = score.screen(LEXICON).counts(fast_tokens(text))
    exact = heavy_hits(LEXICON, text)
    for fam, n in exact.items():
        assert bound.get(fam, 0) >= n, (fam, text)


def test_the_bound_is_reached_on_plain_keys() -> None:
    """Keys written plainly, one per line: the matcher finds nearly all, and the bound holds (so the
    property above is not vacuous)."""
    text = "\n".join(KEYS)
    bound = score.screen(LEXICON).counts(fast_tokens(text))
    exact = heavy_hits(LEXICON, text)
    assert sum(exact.values()) >= len(KEYS) * 0.9
    for fam in exact:
        assert bound[fam] >= exact[fam]


def test_fast_tokens() -> None:
    assert fast_tokens("Army’s TIES, U.S. 3.6 naïve 日本 \ud800x") == [b"army", b"s", b"ties", b"u", b"s", b"3", b"6",
                                                                     b"na", b"ve", b"x"]


def test_a_key_without_ascii_makes_its_family_unbounded() -> None:
    s = Screen.of({"user": ["日本", "army"]}, {"user": (2.0, 0.3)}, 0.01, 40)
    assert s.unbounded == {"user"}
    assert s.families(fast_tokens("plain words")) == ["user"]


def test_spun_text_is_never_passed(shared: Path) -> None:
    screen = score.screen(LEXICON)
    examples = shared / "examples"
    spun = sorted(examples.glob("wild-dev/*.spun.txt")) + sorted(examples.glob("seed/*.spun.txt"))
    assert spun
    for p in spun:
        assert screen.families(fast_tokens(p.read_text(encoding="utf-8"))), p.name


def _documents(shared: Path) -> list[tuple[str, str]]:
    docs = []
    for f in sorted((shared / "corpora" / "clean").glob("*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                docs.append((f"{f.name}:{n}", json.loads(line)["text"]))
    for p in sorted((shared / "examples").glob("*/*.spun.txt")):
        docs.append((p.name, p.read_text(encoding="utf-8")))
    return docs


def test_the_families_it_rules_out_could_not_be_active(shared: Path) -> None:
    """On every shared document, the document gate over every family's matches finds the same
    active families as over the matches of the families the pre-screen leaves possible; where it
    leaves none, none is active, so the pipeline would have changed nothing."""
    r = Restorer()
    screen = score.screen(r.lexicon)
    passed = restricted = 0
    for name, text in _documents(shared):
        toks = fast_tokens(text)
        possible = screen.families(toks)
        words = Words(text)
        everything = find(words, r.lexicon, r.lexicon.index())
        _, full, _ = score.document_report(words, len(toks), everything, _Gains(r.model, words))
        if not possible:
            passed += 1
            assert not full, name
            continue
        some = [m for m in everything if any(e.family in possible for e in m.entries)]
        _, part, _ = score.document_report(words, len(toks), some, _Gains(r.model, words))
        assert part == full, name
        restricted += len(possible) < len(r.lexicon.families)
    assert passed > 300 and restricted > 10  # both branches are exercised


@pytest.mark.parametrize("text", ["", "   ", "日本語のテキスト。", "\ud800"])
def test_text_without_ascii_words_is_passed(text: str) -> None:
    r = Restorer()
    assert r.restore(text) == text
    assert not score.screen(r.lexicon).families(fast_tokens(text))


def test_a_count_floor_keeps_a_long_document_with_enough_hits() -> None:
    """A family with count evidence (score.Gate.count_centre) can open on a few hits however long
    the document: the screen must not pass such a document through on density alone."""
    keys = {"x": ["counterfeit consciousness", "profound learning"]}
    gates = {"x": (0.5, 0.1)}
    toks = fast_tokens("word " * 20_000 + "counterfeit consciousness and profound learning")
    assert Screen.of(keys, gates, 0.01, 40).families(toks) == []  # 2 hits in 20k words
    assert Screen.of(keys, gates, 0.01, 40, {"x": (2, 0.0)}).families(toks) == ["x"]
    assert Screen.of(keys, gates, 0.01, 40, {"x": (3, 0.0)}).families(toks) == []
    # a count floor that needs a density (score.Gate.count_min_density) is no floor here
    assert Screen.of(keys, gates, 0.01, 40, {"x": (2, 0.5)}).families(toks) == []
