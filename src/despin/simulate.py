"""A spinner simulator: spin clean text with a family's forward map, with gold edits.

The forward map is the lexicon read backwards: a row ``mentioned → said`` says the spinner writes
"mentioned" for *said*. ``spin`` walks the words of a clean text, finds originals (longest
first, never overlapping), and replaces each with probability ``rate`` by one of its spun forms,
keeping the case of the original. It returns the spun text and gold edits in the shared scorer's
format (``{"start", "end", "spun", "gold", "optional"}`` with offsets into the spun text), so every
metric of ``evaluate`` applies.

Options mirror what real spinners do (wild-dev README): spin only some paragraphs, spare
quotations, and deny some rows to the restorer (k-fold) to measure what despin catches without a
lexicon row.

This is a development benchmark, not a model of any one spinner: it spins exactly what the
lexicon knows, so recall on it measures the scorer and decoder, not lexicon coverage.
"""

from __future__ import annotations

import random
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .decode import transfer_case
from .lexicon import Lexicon
from .match import Words
from .tokens import normalize
from .types import Entry

_QUOTES = {"“": "”", '"': '"'}


@dataclass(frozen=True)
class Spun:
    """A simulated spin: the text, its gold edits, and the lexicon rows used."""

    text: str
    edits: list[dict[str, Any]]
    used: frozenset[str]  # spun keys used

    def gold(self) -> dict[str, Any]:
        return {"spun": self.text, "edits": self.edits}


class Spinner:
    """The forward map of some lexicon families: original phrase → spun phrases."""

    def __init__(self, lexicon: Lexicon, families: Iterable[str] | None = None, deny: Iterable[str] = ()) -> None:
        fams = set(families) if families is not None else None
        denied = set(deny)
        forward: dict[str, list[Entry]] = defaultdict(list)
        for key, entries in lexicon.entries.items():  # parses every row: evaluation only
            if key in denied:
                continue
            for e in entries:
                if (fams is None or e.family in fams) and e.scope == "any":
                    for alt in e.restored:
                        forward[normalize(alt)].append(e)
        self.forward = dict(forward)
        self.max_words = max((len(k.split()) for k in self.forward), default=1)
        self.first = {k.split()[0] for k in self.forward}

    def spin(self, text: str, rate: float = 0.8, seed: int | str = 0, paragraphs: float = 1.0,
             spare_quotes: bool = False) -> Spun:
        """Spin ``text``: each original found is replaced with probability ``rate``; each
        paragraph is spun with probability ``paragraphs``; quoted text is left alone when
        ``spare_quotes``."""
        rng = random.Random(zlib.crc32(f"{seed}".encode()))
        words = Words(text)
        para_spun: dict[int, bool] = {}
        quoted = _quoted_mask(text) if spare_quotes else None
        out: list[str] = []
        edits: list[dict[str, Any]] = []
        used: set[str] = set()
        pos = 0  # next unconsumed character of text
        shift = 0  # len(out text) - pos
        i = 0
        n = len(words)
        while i < n:
            if words.low(i) not in self.first:
                i += 1
                continue
            hit = None
            for size in range(min(self.max_words, n - i), 0, -1):
                s, e = words.starts[i], words.ends[i + size - 1]
                surf = text[s:e]
                if "\n" in surf:
                    continue
                entries = self.forward.get(normalize(surf))
                if entries:
                    hit = (size, s, e, surf, entries)
                    break
            if hit is None:
                i += 1
                continue
            size, s, e, surf, entries = hit
            para = text.count("\n\n", 0, s)
            if para not in para_spun:
                para_spun[para] = rng.random() < paragraphs
            if not para_spun[para] or (quoted is not None and quoted[s]) or rng.random() >= rate:
                i += size
                continue
            entry = rng.choice(entries)
            spun = transfer_case(surf, entry.spun)
            out.append(text[pos:s])
            new_start = s + shift
            out.append(spun)
            edits.append({"start": new_start, "end": new_start + len(spun), "spun": spun, "gold": [surf],
                          "optional": False})
            used.add(entry.spun)
            shift += len(spun) - (e - s)
            pos = e
            i += size
        out.append(text[pos:])
        return Spun("".join(out), edits, frozenset(used))


def _quoted_mask(text: str) -> list[bool]:
    """True for characters inside double quotation marks."""
    mask = [False] * len(text)
    close = None
    for k, c in enumerate(text):
        if close is not None:
            if c == close:
                close = None
            else:
                mask[k] = True
        elif c in _QUOTES:
            close = _QUOTES[c]
    return mask
