"""Properties of the whole pipeline over adversarial Unicode, with real spun words mixed in.

Random code points alone would test little: the lexicon would never fire. The strategies here
build documents from the bundled spun example, spun phrases the lexicons know ("mentioned",
"international locations", "12 months", "towards", "hearth"), and hostile characters (emoji and
ZWJ sequences, combining marks, right-to-left text and controls, zero-width characters, C0/C1
controls, NUL, lone surrogates, CRLF and other line breaks), inserted between words and inside
them. Every test checks that its documents really produce changes, so the properties are
exercised, not vacuous.

Properties (each over every generated document):

- ``restore``, ``restore_and_explain`` and ``scan`` never raise and return the documented types;
- changes are sorted, non-overlapping, in bounds, hold their ``spun`` text, change something,
  reach the threshold, and replay with ``apply_changes`` to exactly the restored text;
- flags are in bounds and hold their ``spun`` text;
- ``restore`` is idempotent, but for candidates that scored within IDEMPOTENCE_MARGIN of the
  threshold the first time (a restored document looks a little less or more spun, which can tip a
  borderline candidate: "In accordance with a" at 0.229, then 0.253, against 0.25);
- the tokenizer is lossless with contiguous offsets;
- a text in which the matcher finds no lexicon key comes back identical, with no flag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import despin
from despin import ChangeMismatchError, Restorer, apply_changes, tokenize
from despin.lexicon import load
from despin.match import Words, find
from despin.score import REASONS
from despin.types import Change

from .conftest import ROOT

EXAMPLE = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
SENTENCES = [s.strip() + "." for s in EXAMPLE.replace("\n", " ").split(". ") if s.strip()]

# Spun forms the shipped lexicons restore (news family), as the spinner writes them.
SPUN = [
    "mentioned", "international locations", "12 months", "final 12 months", "towards", "hearth",
    "metropolis council", "Officers informed", "apprehensive", "subsequent month", "individuals",
    "in regards to the", "historical past", "proprietor", "commerce", "additionally", "outdated",
    "assembly", "stated", "In accordance with", "a number of", "greater than", "printed", "injury",
]
CASED = [f(s) for s in SPUN for f in (str.lower, str.upper, str.title)]
FILLER = ["the council", "he", "they", "on Tuesday", "said that", "and", "the harbour wall", "in March"]

HOSTILE = [
    "\U0001F468\u200D\U0001F469\u200D\U0001F467",  # family: ZWJ sequence
    "\U0001F3F3\uFE0F\u200D\U0001F308",  # rainbow flag: variation selector + ZWJ
    "\U0001F44D\U0001F3FD",  # skin-tone modifier
    "\U0001F1EC\U0001F1E7",  # regional indicators (a flag)
    "e\u0301", "\u0301", "\u0308\u0308\u0308", "Z\u0351\u0352\u0357\u0358",  # combining marks, "zalgo"
    "שלום עולם", "مرحبا بالعالم", "\u202Eabc\u202C", "\u200F", "\u200E", "\u2067x\u2069",  # RTL and bidi controls
    "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD",  # zero-width and soft hyphen
    "\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\x85", "\x9c",  # C0/C1 controls, NUL, ANSI escape
    "\ud800", "\udfff", "\udbff\udbff", "\ud83d",  # lone surrogates (and half an emoji)
    "\r\n", "\r", "\n\n", "\u2028", "\u2029", "\t", "\x0b", "\x0c",  # line breaks
    "İ", "ß", "ﬁ", "Ⅻ", "١٢", "ǅ", "ς", "\uFF4D\uFF45\uFF4E",  # case mappings that change length, digits
    "’s", "“", "”", "'", '"', "—", "-", ".", "...", "?!",  # punctuation the tokenizer treats specially
    "<!--", "-->", "```", "`", "<b>", "</p>", "http://example.com/mentioned", "@mentioned", "#hearth",
    "a_b", "U.S.", "sq.", "3.6", "1,000", "5mn",
    # the acronym cue: tortured phrases followed by the acronym of their original, and stray ones
    "data innovation (IT)", "minimal circle (CD)", "(IT)", "(it)", " (CD)", "(", ")", "(R&D)", "(GPs)",
]
SEPARATORS = [" ", "  ", "\n", "\r\n", "\t", ", ", ". ", " \u200B", "\u00A0", "\u3000"]


def _splice(base: str, inserts: list[tuple[int, str]]) -> str:
    """``base`` with each ``(position, piece)`` inserted (positions taken modulo the length)."""
    out = base
    for pos, piece in sorted(inserts, key=lambda t: -t[0]):
        k = pos % (len(out) + 1)
        out = out[:k] + piece + out[k:]
    return out


pieces = st.one_of(
    st.sampled_from(CASED),
    st.sampled_from(SENTENCES),
    st.sampled_from(FILLER),
    st.sampled_from(HOSTILE),
    st.sampled_from(SEPARATORS),
    st.text(max_size=6),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Mn", "Zs", "Zl", "Zp"]), max_size=3),
)
collage = st.lists(pieces, max_size=60).map("".join)
# The spun example with hostile pieces inserted anywhere, inside words too ("menti\u0301oned").
damaged_example = st.lists(
    st.tuples(st.integers(0, len(EXAMPLE)), st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3))), max_size=25
).map(lambda ins: _splice(EXAMPLE, ins))
adversarial = st.one_of(collage, damaged_example, st.tuples(collage, st.sampled_from(SENTENCES)).map("".join),
                        st.text(max_size=200))

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    print_blob=True)


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    r = Restorer()
    r.restore(EXAMPLE)  # load the lexicons and the LM outside the timed examples
    return r


def check_changes(text: str, restored: str, changes: list[Change], threshold: float) -> None:
    """Every invariant of a list of changes for ``text``."""
    pos = 0
    for c in changes:
        assert isinstance(c, Change)
        assert 0 <= c.start < c.end <= len(text), c
        assert c.start >= pos, f"changes overlap or are unsorted at {c}"
        pos = c.end
        assert text[c.start : c.end] == c.spun, c
        assert c.restored != c.spun, c
        assert c.reason in REASONS, c
        assert c.score >= threshold, c
    assert apply_changes(text, changes) == restored
    assert apply_changes(text, [c.to_dict() for c in changes]) == restored


def _run_property(strategy: st.SearchStrategy[str], check: Callable[[str], bool], min_fired: float,
                  examples: int = 250) -> Counter[str]:
    """Run ``check`` over ``strategy``; ``check`` returns whether the lexicon fired. At least
    ``min_fired`` of the examples must have fired, so the property was really exercised."""
    seen: Counter[str] = Counter()

    @given(strategy)
    @settings(SETTINGS, max_examples=examples)
    def prop(text: str) -> None:
        seen["examples"] += 1
        seen["fired"] += bool(check(text))

    prop()
    print(f"{check.__qualname__}: {dict(seen)}")  # shown with pytest -s: how many examples fired
    assert seen["fired"] >= min_fired * seen["examples"], seen
    return seen


def test_restore_never_raises_and_changes_are_replayable(restorer: Restorer) -> None:
    threshold = restorer.config.threshold

    def check(text: str) -> bool:
        restored, changes = restorer.restore_and_explain(text)
        assert isinstance(restored, str)
        assert restorer.restore(text) == restored
        check_changes(text, restored, changes, threshold)
        result = restorer.scan(text)
        assert 0.0 <= result.report.spin <= 1.0
        for f in result.flags:
            assert 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.spun, f
        return bool(changes)

    _run_property(adversarial, check, min_fired=0.3)


IDEMPOTENCE_MARGIN = 0.1  # log10 odds


def test_restore_is_idempotent_on_adversarial_text(restorer: Restorer) -> None:
    threshold = restorer.config.threshold

    def check(text: str) -> bool:
        once = restorer.restore(text)
        again = restorer.restore_and_explain(once)[1]
        if again:
            borderline = {(f.spun, f.restored) for f in restorer.scan(text).flags
                          if f.score >= threshold - IDEMPOTENCE_MARGIN}
            for c in again:
                assert (c.spun, c.restored) in borderline, c
        return once != text

    _run_property(adversarial, check, min_fired=0.3, examples=150)


def test_tokenizer_round_trip_on_adversarial_text() -> None:
    kinds = {"word", "number", "space", "punct", "protected"}

    @given(adversarial)
    @settings(SETTINGS, max_examples=400)
    def prop(text: str) -> None:
        pos = 0
        for t in tokenize(text):
            assert t.kind in kinds and t.text and t.start == pos and t.end == pos + len(t.text)
            assert text[t.start : t.end] == t.text
            pos = t.end
        assert pos == len(text)

    prop()


# Words the shipped lexicons have no key for (checked below), to build texts with no match.
NON_KEYS = ("the of and to in was on at for it is by he she they we with from this as his "
            "her their be were has had are not but or an if its our".split())


def test_non_key_vocabulary_has_no_key() -> None:
    lexicon = load()
    for words in (NON_KEYS, [w.capitalize() for w in NON_KEYS], [w.upper() for w in NON_KEYS]):
        text = "\n".join(f"{a} {b}" for a in words for b in words)  # every pair, for multi-word keys
        assert not find(Words(text), lexicon), [m.surface for m in find(Words(text), lexicon)][:10]


keyless = st.lists(st.one_of(st.sampled_from(NON_KEYS), st.sampled_from(HOSTILE), st.sampled_from(SEPARATORS),
                             st.text(st.characters(exclude_categories=["L", "N"]), max_size=4)),
                   max_size=80).map("".join)


def test_text_with_no_lexicon_key_comes_back_identical(restorer: Restorer) -> None:
    lexicon = restorer.lexicon

    @given(st.one_of(keyless, st.text(max_size=300)))
    @settings(SETTINGS, max_examples=300)
    def prop(text: str) -> None:
        assume(not find(Words(text), lexicon))
        assert restorer.restore(text) == text
        assert restorer.restore_and_explain(text) == (text, [])
        assert restorer.scan(text).flags == ()

    prop()


def test_public_functions_accept_adversarial_text() -> None:
    """The module-level functions (cached Restorers) agree with a Restorer on hostile text."""
    text = _splice(EXAMPLE, [(k * 71, h) for k, h in enumerate(HOSTILE[::4])])
    restored, changes = despin.restore_and_explain(text)
    assert changes and despin.restore(text) == restored == Restorer().restore(text)
    check_changes(text, restored, changes, Restorer().config.threshold)


# -- apply_changes: refuses what does not fit, never a wrong text ---------------------------------

spans = st.lists(st.tuples(st.integers(-3, 60), st.integers(-3, 60), st.text(max_size=4)), max_size=8)


@given(st.text(max_size=50), spans, st.booleans())
@settings(max_examples=400, deadline=None)
def test_apply_changes_applies_exactly_or_refuses(text: str, raw: list[tuple[int, int, str]], honest: bool) -> None:
    changes = [Change(s, e, text[s:e] if honest and 0 <= s <= e else "x", r, 1.0, "spun_word", "t:1")
               for s, e, r in raw]
    ordered = sorted(changes, key=lambda c: (c.start, c.end))
    # disjoint and in bounds; two insertions at one offset do not fit either (they have no order)
    pairs = zip(ordered, ordered[1:], strict=False)
    fits = all(0 <= c.start <= c.end <= len(text) and text[c.start : c.end] == c.spun for c in changes) and all(
        a.end <= b.start and not a.start == a.end == b.start == b.end for a, b in pairs)
    if not fits:
        with pytest.raises(ChangeMismatchError):
            apply_changes(text, changes)
        return
    got = apply_changes(text, changes)
    want, pos = [], 0
    for c in ordered:
        want += [text[pos : c.start], c.restored]
        pos = c.end
    assert got == "".join(want) + text[pos:]
