from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from despin.tokens import normalize, tokenize


@given(st.text())
@settings(max_examples=300)
def test_round_trip_is_lossless(s: str) -> None:
    toks = tokenize(s)
    assert "".join(t.text for t in toks) == s
    pos = 0
    for t in toks:
        assert t.start == pos and t.end == pos + len(t.text) and s[t.start : t.end] == t.text
        pos = t.end


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pyongyang’s central sq., which", ["Pyongyang", "’s", "central", "sq.", ",", "which"]),
        ("Shin Gained-sik didn't go", ["Shin", "Gained", "-", "sik", "didn't", "go"]),
        ("5mn and 12 and 3.6% and 1,000", ["5mn", "and", "12", "and", "3.6", "%", "and", "1,000"]),
        ("the U.S. and e.g. this", ["the", "U.S.", "and", "e.g.", "this"]),
    ],
)
def test_words_split_as_documented(text: str, expected: list[str]) -> None:
    assert [t.text for t in tokenize(text) if t.kind != "space"] == expected


@pytest.mark.parametrize(
    "protected",
    [
        "https://example.com/said-mentioned?x=1",
        "www.mentioned.org",
        "someone.mentioned@example.co.uk",
        "#mentioned",
        "@army_news",
        "snake_case_name",
        "getElementById",
        "config.army.settings",
        "mentioned()",
        "/usr/local/army",
        "`mentioned army`",
        "<a href=\"x\">",
    ],
)
def test_urls_addresses_and_code_are_protected(protected: str) -> None:
    toks = tokenize(f"He mentioned {protected}. Then")
    assert any(t.kind == "protected" and t.text == protected for t in toks), toks


def test_numbers_are_numbers() -> None:
    assert [t.kind for t in tokenize("12 months") if t.kind != "space"] == ["number", "word"]


def test_normalize_is_the_key_form() -> None:
    assert normalize("  Army’s   TIES ") == "army's ties"


def test_tokenize_rejects_bytes() -> None:
    with pytest.raises(TypeError):
        tokenize(b"bytes")  # type: ignore[arg-type]
