"""Lexicon matching: find every span of the text that a lexicon row could have produced.

The text is reduced to its words (``tokens.WORD_RE``: letters, digits, inner apostrophes,
abbreviations with their dot). A key of *n* words matches words ``i..i+n-1`` when the text
between them, normalised like keys, equals the key: "12 months", "side-by-side" and "sq." all
match as written, a line break never lies inside a match, and other punctuation only where the
key has it. Lookup is a dict keyed by the normalised surface, tried only at words that start
some key: a token-tuple dict ran at 1.8 MB/s with 25k phrases, where ``regex`` named lists took
200 s per MB (DESIGN.md).

Matches inside protected text (URLs, code, e-mail addresses) or inside a keep-list phrase are
dropped here, so no later stage can change them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .lexicon import KeyIndex, Lexicon
from .tokens import ROUGH_RE, block_spans, code_line, in_code_line, inline_protected, normalize, split_word
from .types import Entry

_SENTENCE_END = frozenset(".!?\n:;")


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon key found in the text: words ``i..j-1``, characters ``start..end``."""

    i: int
    j: int
    start: int
    end: int
    surface: str
    entries: tuple[Entry, ...]
    capitalised: bool  # every word starts with a capital letter
    sentence_initial: bool


class Words:
    """The word layer of a document: surfaces and offsets, as ``tokens.tokenize`` splits words."""

    __slots__ = ("text", "surface", "starts", "ends", "lm")

    def __init__(self, text: str) -> None:
        self.text = text
        surface: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        # The inner loop of the whole library: kept flat, plain alphanumerics take the fast branch.
        for m in ROUGH_RE.finditer(text):
            w = m.group()
            if w.isalnum():
                surface.append(w)
                starts.append(m.start())
                ends.append(m.end())
            else:
                base = m.start()
                for sub, b, e in split_word(w):
                    surface.append(sub)
                    starts.append(base + b)
                    ends.append(base + e)
        self.surface, self.starts, self.ends = surface, starts, ends
        self.lm: list[str | None] | None = None  # the LM's view of the words (score.lm_view)

    def __len__(self) -> int:
        return len(self.surface)

    def low(self, i: int) -> str:
        """Word ``i`` in key form: lower case, straight apostrophe."""
        w = self.surface[i].lower()
        return w.replace("’", "'") if "’" in w else w

    def sentence_start(self, i: int) -> bool:
        """Whether a sentence or line starts at word ``i``: the gap before it holds . ! ? : ; or a
        line break (an abbreviation's own dot is part of its word, so "sq." ends no sentence)."""
        if i == 0:
            return True
        gap = self.text[self.ends[i - 1] : self.starts[i]]
        if gap == " ":
            return False  # by far the commonest gap
        return any(c in _SENTENCE_END for c in gap)


def find(words: Words, lexicon: Lexicon, index: KeyIndex | None = None) -> list[Match]:
    """All matches of the keys in ``index`` (default: every family's) in text order, overlapping
    ones included, minus protected and kept ones."""
    text = words.text
    surface, starts, ends = words.surface, words.starts, words.ends
    n_words = len(surface)
    index = index or lexicon.index()
    lengths, pairs = index.lengths, index.pairs
    entries = lexicon.entries
    blocks: list[tuple[int, int]] | None = None
    block_starts: list[int] = []
    line_lo = line_hi = 0  # the line of the last hit checked for code (tokens.code_line)
    line_code = False
    out: list[Match] = []
    for i, w in enumerate(surface):
        ls = lengths.get(w)
        low = w
        if ls is None:
            # keys are lower case: only capitalised or curly-apostrophe words need a second look
            if w.islower() and "’" not in w:
                continue
            low = w.lower().replace("’", "'")
            ls = lengths.get(low)
            if ls is None:
                continue
        pair_ok = None
        for n in ls:
            j = i + n
            if j > n_words:
                continue
            start, end = starts[i], ends[j - 1]
            if n == 1:
                surf = w
                key = low
            else:
                # most first words start some multi-word key; the first two words rarely do
                if pair_ok is None:
                    nxt = surface[i + 1]
                    pair_ok = (low, nxt if nxt.islower() and "’" not in nxt else words.low(i + 1)) in pairs
                if not pair_ok:
                    continue
                surf = text[start:end]
                if "\n" in surf:
                    continue
                key = normalize(surf)
            found = entries.get(key)
            if found is None:
                continue
            if n > 1 and _in_compound(text, start, end):
                continue  # "installed system" in "installed system-wide": a phrase cut mid-word
            if lexicon.keep and any(words.low(q) in lexicon.keep_words for q in range(i, j)) \
                    and _kept(words, lexicon, i, j):
                continue
            if w[0].isdigit() and not _standalone_number(text, start, end):
                continue
            if j - i <= 2 and (w.isdigit() or surface[j - 1].isdigit()) and not _counted(words, i, j):
                continue
            if blocks is None:
                blocks = block_spans(text)  # sorted and disjoint
                block_starts = [a for a, _ in blocks]
            if blocks:
                q = bisect.bisect_right(block_starts, end - 1) - 1  # the last block starting before end
                if q >= 0 and blocks[q][1] > start:
                    continue
            if not _plain_surroundings(text, start, end) and inline_protected(text, start, end):
                continue
            if not line_lo <= start < line_hi:  # the hits of one line share its check
                line_lo, line_hi, line_code = code_line(text, start)
            if line_code:
                continue
            # capitalised: every word with a letter starts with a capital, and there is one ("4" is not)
            initials = [surface[k][0] for k in range(i, j) if surface[k][:1].isalpha()]
            caps = bool(initials) and all(c.isupper() for c in initials)
            out.append(Match(i, j, start, end, surf, found, caps, words.sentence_start(i)))
    return out


def protected(text: str, start: int, end: int, blocks: list[tuple[int, int]]) -> bool:
    """Whether ``text[start:end]`` overlaps protected text: one of ``blocks``
    (``tokens.block_spans(text)``), a URL, address or code without white space, or a line of code."""
    return any(a < end and b > start for a, b in blocks) or (
        not _plain_surroundings(text, start, end) and inline_protected(text, start, end)) or in_code_line(text, start)


_SPACE = frozenset(" \t\n")
_OPENING = frozenset("(“\"'‘[")
_CLOSING = frozenset(",.;:!?)”\"'’]")


def _plain_surroundings(text: str, start: int, end: int) -> bool:
    """Whether the span sits between white space (possibly before opening brackets or quotes) and
    white space (possibly after closing punctuation): then it cannot be part of a URL, address or
    identifier, and the costlier check of ``tokens.inline_protected`` is skipped. The brackets
    must touch the white space: "(mentioned" ends a URL in "example.com/?x=1(mentioned"."""
    k = start
    while k and text[k - 1] in _OPENING and start - k < 3:
        k -= 1
    if k and text[k - 1] not in _SPACE:
        return False
    k = end
    while k < len(text) and text[k] in _CLOSING and k - end < 3:
        k += 1
    return k >= len(text) or text[k] in _SPACE


_NUMBER_BEFORE = frozenset(" \t\n(“\"'‘[")
_NUMBER_AFTER = frozenset(" \t\n)”\"'’],;:!?")


def _standalone_number(text: str, start: int, end: int) -> bool:
    """Whether a number stands alone ("the 2 leaders"), not inside a figure ("three.6%", "5-0",
    "2.5"), where a lexicon row spelling it out would break it."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if after == "." and not text[end + 1 : end + 2].isdigit():
        after = " "  # a sentence-final number
    return before in _NUMBER_BEFORE and after in _NUMBER_AFTER


# A bare number is a spinner's for a number word where it counts something: "the 2 leaders", "for
# 2 to 4 folks", "5 others" (all 17 spun bare digits of the dev pages). Where it is a label, a name,
# a time or part of a formula, spelling it out breaks the text: "Table three", "Fig. two", "[three]",
# "Python three", "at three pm", "x = three + four" (found by probing spun documents).
_NUMBER_LABELS = frozenset(
    "table tables fig fig. figs figs. figure figures section sections chapter chapters eq eq. equation "
    "equations step steps no no. nos nos. vol vol. volume page pages p p. pp pp. version level grade phase "
    "type class part appendix article rule item question exercise lemma theorem proposition corollary "
    "definition example room row column line round game week season episode series stage unit box gate "
    "platform route channel floor ward block lot category size number model option case issue".split())
_NUMBER_UNITS = frozenset("am pm percent per cent pc mm cm km kg mg ml lb lbs oz ft in x".split())


def _counted(words: Words, i: int, j: int) -> bool:
    """For a match of one or two words that starts or ends with a bare number ("2", "the 2"; in
    a longer key, "coronavirus 2 (covid-19)", the number is part of a name): whether it counts. It
    must be followed, after one space, by a lower-case word that is no unit ("5 others", "2 to 4"),
    and must not follow a label or a capitalised word mid-sentence ("Table 3", "Python 3", "July
    6")."""
    text, surface = words.text, words.surface
    if surface[j - 1].isdigit():
        if j >= len(words) or text[words.ends[j - 1] : words.starts[j]] != " ":
            return False
        after = surface[j]
        if not after[:1].islower() or after in _NUMBER_UNITS:
            return False
    if surface[i].isdigit() and i > 0 and not words.sentence_start(i):
        before = surface[i - 1]
        if before[:1].isupper() or before.lower() in _NUMBER_LABELS:
            return False
    return True


def _in_compound(text: str, start: int, end: int) -> bool:
    """Whether the span starts or ends inside a hyphenated compound ("system" of "system-wide")."""
    return (text[end : end + 1] == "-" and text[end + 1 : end + 2].isalnum()) or (
        start > 1 and text[start - 1] == "-" and text[start - 2].isalnum())


def _kept(words: Words, lexicon: Lexicon, i: int, j: int) -> bool:
    """Whether words ``i..j-1`` lie inside an occurrence of a keep-list phrase."""
    text, starts, ends = words.text, words.starts, words.ends
    for k in range(max(0, i - lexicon.keep_max + 1), i + 1):
        for n in lexicon.keep_lengths.get(words.low(k), ()):
            if k + n >= j and k + n <= len(words) and normalize(text[starts[k] : ends[k + n - 1]]) in lexicon.keep:
                return True
    return False


# -- the inversion habit ---------------------------------------------------------------------------
# Some spinners turn an attributive adjective into a relative clause: "active trading" → "trading
# that is active", "the full-day average" → "the average that is full-day", "previous records" →
# "records that are previous" (wild-dev 13, a page of the paraphrase family: 7 in 315 words). Clean
# English seldom writes "<noun> that is <adjective>" with no complement after it: about
# 27 times in the 272k words of shared/corpora/clean (0.01 per 100 words, at most 2 in a document,
# against 2.2 per 100 in wild-dev 13). An occurrence is a match of a row made for it (family
# paraphrase, source INVERSION_SOURCE), so it counts as evidence, and is restored, only as any row
# is: with the family's document gate open and the LM's gain.
INVERSION_SOURCE = "rule:inversion"
INVERSION_FAMILY = "paraphrase"
# A row's prior odds multiplier, as a lexicon weight: the default of a curated row.
INVERSION_WEIGHT = 1.0
RELATIVES = frozenset({"that", "which"})
COPULAS = frozenset({"is", "are", "was", "were"})
# Words that are no attributive adjective after "that is", or no noun before it: function words,
# adverbs without -ly ("a species that is often used"), the irregular participles of a genuine
# passive ("errors that are made"), and pronouns that take no adjective ("something that is new").
_NOT_ADJECTIVE = frozenset(
    "a an the this that these those it its there here not no now also still so very more less most "
    "too just only such as in at on by for of with from all one what how why when where who which "
    "being been made done known seen given taken shown written spoken held found built sold paid told "
    "kept left lost meant set put run cut hit hurt read won begun become come gone brought bought "
    "thought taught caught sent spent lent bent felt dealt understood undergone "
    "something anything everything nothing someone anyone everyone somebody anybody everybody "
    "ones people often always never sometimes already even ever soon then well rather quite almost "
    "yet again perhaps otherwise instead thus hence therefore indeed however".split())
# A word after the adjective that starts its complement: the clause is genuine ("free of", "likely
# to", "similar in size", "larger than", "big enough"). Also a coordinated adjective, a clause of time
# or condition, and a compound ("a tooling that is generic and independent", "the frame that was
# active when ...", "commits that are docs related": 8 false changes in 4.1M words of clean
# paragraphs, none of them in the inversions of wild-dev 13, which run on with "because", "the", ",").
_COMPLEMENT = frozenset("to for with in of by as on than from about at into enough that "
                        "and or when whenever while if related".split())


def inversions(words: Words) -> list[Match]:
    """Matches of "<noun> that|which is|are|was|were <adjective>" with no complement after the
    adjective, each with a row restoring "<adjective> <noun>" (either may be a hyphenated compound:
    "short-squeeze", "one-day"); protected text is skipped."""
    text, surface, starts, ends = words.text, words.surface, words.starts, words.ends
    n_words = len(surface)
    out: list[Match] = []
    blocks: list[tuple[int, int]] | None = None
    for i in range(1, n_words - 2):
        if surface[i] not in RELATIVES or surface[i + 1] not in COPULAS:
            continue
        if text[ends[i - 1] : starts[i + 2]] != f" {surface[i]} {surface[i + 1]} ":
            continue  # one space between the words, nothing else
        lo, hi = i - 1, i + 2  # the noun's first word, the adjective's last
        while lo > 0 and text[ends[lo - 1] : starts[lo]] == "-":
            lo -= 1
        while hi + 1 < n_words and text[ends[hi] : starts[hi + 1]] == "-":
            hi += 1
        start, end = starts[lo], ends[hi]
        noun, adj = text[start : ends[i - 1]], text[starts[i + 2] : end]
        if not (noun.islower() and adj.islower() and noun.replace("-", "").isalpha()
                and adj.replace("-", "").isalpha()):
            continue
        if adj in _NOT_ADJECTIVE or noun in _NOT_ADJECTIVE or adj.endswith(("ly", "ed")):
            continue
        if hi + 1 < n_words and text[end : starts[hi + 1]] == " " and surface[hi + 1].lower() in _COMPLEMENT:
            continue
        if blocks is None:
            blocks = block_spans(text)
        if protected(text, start, end, blocks):
            continue
        key = text[start:end]
        entry = Entry(key, (f"{adj} {noun}",), INVERSION_FAMILY, "rule", INVERSION_SOURCE, 0,
                      weight=INVERSION_WEIGHT)
        out.append(Match(lo, hi + 1, start, end, key, (entry,), False, words.sentence_start(lo)))
    return out
