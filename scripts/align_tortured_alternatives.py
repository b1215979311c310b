#!/usr/bin/env python3
"""Give each tortured row the alternatives its own key spells (rewrites lexicons/tortured.tsv).

The curated tortured rows were written by term cluster: every spun variant of a term got the
cluster's whole list of genuine forms, the term and its longer compounds alike. So the row
"cloud specialist organization" listed *cloud service* first and *cloud service provider* third,
and "long range interpersonal communication" offered *social networking site*: the decoder's rank
prior took the first, and the LM, which knows neither, at times a longer one. Restored in a
carrier sentence, about half of a sample of 40 such rows dropped or added a word of the term
("rough set hypothesis" → *rough set*, "nutrient b12 inadequacy" → *vitamin b12*).

The rule, for each row with an alternative that extends another of its alternatives by whole
words (``B`` and ``B ext``):

* A key that extends another tortured key by a tail (``K = Kb + tail``, where ``Kb`` restores to
  one of the row's base terms), or a base term written as is ("rough set hypothesis"): only the
  alternatives extended by as many words as the tail are kept, those whose extra word shares the
  tail's (or its first four letters: "frameworks"/"framework") first, then those that agree with
  the tail in number, then the old order. The base terms are dropped: without the tail they are
  never right, yet the LM, one word shorter, preferred them ("intestinal sickness transmission" →
  *malaria*). A tail that is a parenthesised acronym ("web of things (iot)") is left as it is,
  as is a key whose tail fits no alternative, or whose relation to the others is unknown.

Then, in every row, the alternatives that share more of the key's words come first, and among them
those that agree with the key's last word in number: the spinner keeps the words it does not swap
("mean square blunder" is *mean square error*, not the first-listed *mean squared error*; "type ii
mistake" was restored as *type i error*, "pv frameworks" as *pv system*).
* Any other key spells only the base term: the extended alternatives are dropped (the text does not
  hold their extra words).

Run from the repository root; it prints how many rows changed and rewrites the file in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "lexicons" / "tortured.tsv"
_ACRONYM_TAIL = re.compile(r"^\([^()]+\)$")


def _is_row(line: str) -> bool:
    return bool(line.strip()) and not line.startswith("#") and not line.startswith("spun\t")


def _extends(alt: str, base: str) -> bool:
    return alt.startswith(base + " ")


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith("ss")


def align(key: str, alts: list[str], base_keys: dict[str, list[str]], extended_keys: set[str]) -> list[str]:
    """The row's alternatives in the order (and selection) its key calls for. ``base_keys``: every
    key's alternatives; ``extended_keys``: the keys that another key extends by whole words."""
    return by_kept_words(key, select(key, alts, base_keys, extended_keys))


def by_kept_words(key: str, alts: list[str]) -> list[str]:
    """Alternatives sharing more of the key's words first, then those agreeing with the key's last
    word in number; otherwise as they were (a stable sort)."""
    words = set(key.replace("-", " ").split())
    last = key.replace("-", " ").split()[-1]

    def rank(a: str) -> tuple[int, int]:
        ws = a.replace("-", " ").split()
        return (-len(words & set(ws)), 0 if _plural(ws[-1]) == _plural(last) else 1)

    return sorted(alts, key=rank)


def select(key: str, alts: list[str], base_keys: dict[str, list[str]], extended_keys: set[str]) -> list[str]:
    """The rule on compounds (see the module docstring)."""
    bases = [a for a in alts if not any(a != b and _extends(a, b) for b in alts)]
    extended = [a for a in alts if a not in bases]
    if not extended:
        return alts
    words = key.split(" ")
    # the key's tail beyond a shorter key, or beyond a base term written as is
    # ("rough set hypothesis" for *rough set theory*)
    tail: list[str] | None = None
    for n in range(len(words) - 1, 0, -1):
        shorter = " ".join(words[:n])
        if shorter in bases or any(b in bases for b in base_keys.get(shorter, ())):
            tail = words[n:]
            break
    if tail is None:
        if key in extended_keys:
            return bases  # a longer key spells the longer terms: this one spells the base term
        return alts  # which of the terms it spells is not known: as curated
    if len(tail) == 1 and _ACRONYM_TAIL.match(tail[0]):
        return alts

    def extra(a: str) -> list[str]:
        base = max((b for b in bases if _extends(a, b)), key=len)
        return a[len(base) + 1 :].split(" ")

    fits = [a for a in extended if len(extra(a)) == len(tail)]
    if not fits:
        return alts
    last = tail[-1]

    def rank(a: str) -> tuple[int, int]:
        w = extra(a)[-1]
        shared = w == last or (len(w) >= 4 and len(last) >= 4 and w[:4] == last[:4])
        return (0 if shared else 1, 0 if _plural(w) == _plural(last) else 1)

    fits.sort(key=rank)  # stable: the old order breaks ties
    return fits  # a term without the tail is never right, and the LM, shorter by a word, liked it


def aligned(lines: list[str]) -> tuple[list[str], int]:
    """The lexicon's lines with every row aligned, and how many rows that changed."""
    rows = [line.rstrip("\n").split("\t") for line in lines if _is_row(line)]
    base_keys: dict[str, list[str]] = {}
    for cols in rows:
        base_keys.setdefault(cols[0], []).extend(cols[1].split("|"))
    extended_keys = set()
    for cols in rows:
        words = cols[0].split(" ")
        mine = set(cols[1].split("|"))
        for n in range(1, len(words)):
            shorter = " ".join(words[:n])
            if mine & set(base_keys.get(shorter, ())):
                extended_keys.add(shorter)
    changed = 0
    out = []
    for line in lines:
        if _is_row(line):
            cols = line.rstrip("\n").split("\t")
            alts = cols[1].split("|")
            new = align(cols[0], alts, base_keys, extended_keys)
            if new != alts:
                changed += 1
                cols[1] = "|".join(new)
                line = "\t".join(cols) + "\n"
        out.append(line)
    return out, changed


def main() -> int:
    out, changed = aligned(PATH.read_text(encoding="utf-8").splitlines(keepends=True))
    PATH.write_text("".join(out), encoding="utf-8")
    print(f"{changed} rows changed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
