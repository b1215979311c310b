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

from dataclasses import dataclass

from .lexicon import Lexicon
from .tokens import WORD_RE, block_spans, inline_protected, normalize
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
    """The word layer of a document: surfaces, lower-cased forms and offsets."""

    __slots__ = ("text", "surface", "low", "starts", "ends")

    def __init__(self, text: str) -> None:
        self.text = text
        self.surface: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in WORD_RE.finditer(text):
            self.surface.append(m.group())
            self.starts.append(m.start())
            self.ends.append(m.end())
        self.low = [w.lower() for w in self.surface]
        if "’" in text:
            self.low = [w.replace("’", "'") for w in self.low]

    def __len__(self) -> int:
        return len(self.surface)

    def sentence_start(self, i: int) -> bool:
        """Whether a sentence (or line) starts at word ``i``: the gap before it holds . ! ? : ; or
        a line break, or the previous word is a sentence-final abbreviation is not detected."""
        if i == 0:
            return True
        gap = self.text[self.ends[i - 1] : self.starts[i]]
        return any(c in _SENTENCE_END for c in gap)


def find(words: Words, lexicon: Lexicon) -> list[Match]:
    """All lexicon matches in text order (overlapping ones included), minus protected and kept."""
    text = words.text
    low, starts, ends = words.low, words.starts, words.ends
    n_words = len(low)
    lengths = lexicon.lengths
    entries = lexicon.entries
    kept = _kept_words(words, lexicon) if lexicon.keep else None
    blocks = block_spans(text)
    out: list[Match] = []
    for i, w in enumerate(low):
        ls = lengths.get(w)
        if ls is None:
            continue
        for n in ls:
            j = i + n
            if j > n_words:
                continue
            start, end = starts[i], ends[j - 1]
            if n == 1:
                key = w
            else:
                surface = text[start:end]
                if "\n" in surface:
                    continue
                key = normalize(surface)
            found = entries.get(key)
            if found is None:
                continue
            if kept is not None and any(kept[k] for k in range(i, j)):
                continue
            if blocks and any(s < end and e > start for s, e in blocks):
                continue
            if inline_protected(text, start, end):
                continue
            surf = text[start:end]
            caps = all(words.surface[k][:1].isupper() for k in range(i, j) if words.surface[k][:1].isalpha())
            out.append(Match(i, j, start, end, surf, found, caps, words.sentence_start(i)))
    return out


def _kept_words(words: Words, lexicon: Lexicon) -> list[bool]:
    """Mark the words covered by a keep-list phrase."""
    kept = [False] * len(words)
    low, starts, ends, text = words.low, words.starts, words.ends, words.text
    for i, w in enumerate(low):
        ls = lexicon.keep_lengths.get(w)
        if ls is None:
            continue
        for n in ls:
            j = i + n
            if j <= len(low) and normalize(text[starts[i] : ends[j - 1]]) in lexicon.keep:
                for k in range(i, j):
                    kept[k] = True
    return kept
