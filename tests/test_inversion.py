"""The inversion habit: "trading that is active" for *active trading* (match.inversions)."""

from __future__ import annotations

import pytest

from despin import Restorer, score
from despin.match import INVERSION_SOURCE, Words, inversions
from despin.screen import fast_tokens

# Written for these tests: a market report with four inversions and two genuine clauses.
SPUN = ("Shares of the retailer rose in trading that is heavy on Tuesday, after the chain reported "
        "sales that are strong for the quarter. The increase that is sharp followed a forecast that "
        "was upbeat, and analysts said the outlook that is brighter could lift rivals too.")


def found(text: str) -> dict[str, tuple[str, ...]]:
    return {m.surface: m.entries[0].restored for m in inversions(Words(text))}


def test_an_inverted_adjective_is_found_with_its_restoration() -> None:
    got = found("Volume rose in trading that is active, and a short-squeeze that is potential. "
                "It was the percentage that is one-day ever.")
    assert got == {
        "trading that is active": ("active trading",),
        "short-squeeze that is potential": ("potential short-squeeze",),
        "percentage that is one-day": ("one-day percentage",),
    }


@pytest.mark.parametrize("text", [
    "a species that is often used in labs",           # an adverb
    "the most frequent errors that are made are",      # an irregular participle: a passive
    "the data that were collected in 2020",            # a regular participle
    "a country that is rich in oil",                   # a complement follows
    "a method that is similar to ours",
    "something that is new to them",                   # a pronoun takes no adjective before it
    "the one that is left",
    "It is the Trading that is active here",           # capitals: a name or a heading
    "the reason that is, in short, clear",             # not one space between the words
    "a tooling that is generic and independent",       # a coordinated adjective
    "the frame that was active when it was captured",  # a clause of time
    "46 commits that are docs related",                # a compound
])
def test_genuine_relative_clauses_are_not_found(text: str) -> None:
    assert found(text) == {}


def test_inversions_in_code_and_urls_are_left_alone() -> None:
    text = ("Run it:\n\n```\nfilter(rows that are valid, rest)\n```\n"
            "See https://example.org/rows-that-are-valid-docs for rows that are\u00a0valid.")
    assert found(text) == {}


def test_a_page_written_with_inversions_is_restored() -> None:
    r = Restorer()
    a = r.analyze(SPUN)
    assert a.report.family == "paraphrase"
    inverted = {c.spun: c.restored for c in a.changes if c.reason == "inverted_phrase"}
    assert inverted["increase that is sharp"] == "sharp increase"
    assert inverted["outlook that is brighter"] == "brighter outlook"
    assert all(c.source == INVERSION_SOURCE for c in a.changes if c.reason == "inverted_phrase")
    out = r.restore(SPUN)
    assert "an upbeat forecast" in out  # the article agrees with the adjective put back
    # clauses with a complement are genuine and stay
    assert "trading that is heavy on Tuesday" in out and "sales that are strong for" in out


def test_the_pre_screen_counts_every_inversion() -> None:
    """The pre-screen's count is an upper bound on the gate's hits: it must count the relative
    pairs, or a page spun mostly by inversion would be passed through unexamined."""
    scr = score.screen(Restorer().lexicon)
    for text in (SPUN, "Prices fell. " * 20 + "Yet trading that is active, with sales that are weak."):
        n = len(inversions(Words(text)))
        assert scr.counts(fast_tokens(text)).get("paraphrase", 0) >= n > 0
