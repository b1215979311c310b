#!/usr/bin/env python3
"""Turn a copy of the Problematic Paper Screener's tortured-phrase list into despin's pairs TSV: the
list that ``scripts/gen_tortured_lexicon.py --import-pps`` imports, and a measure of it.

    python scripts/pps_pairs.py tortured-phrases.json > pps.tsv
    despin eval --pairs pps.tsv                                 # with its rows (pps-20260306)
    despin eval --pairs pps.tsv --deny-source pps-20260306      # as if never imported

The input is the JSON packaging of the list in the ``giladfeldman/torturedcheck`` repository
(``src/data/tortured-phrases.json``: ``{"phrases": [{"tortured": ..., "correct": ...}, ...]}``,
7,942 entries on 2026-03-06; Cabanac, Labbé and Magazinov, CC BY 4.0). The file is not
redistributed; the rows made from it are, with attribution in lexicons/NOTICE.

Cleaning, so that "restored exactly" is decidable: entries whose expected term carries an
annotation (``?``, ``[...]``, ``/`` alternatives, quotes, backslashes, ``*`` emphasis, ``;``, an
ellipsis) are dropped; a trailing
parenthesised acronym is cut from the expected term ("region of interest (roi)"), and the entry is
dropped when the tortured phrase has one too (no restoration could remove it) or other brackets
remain; entries with a side that holds no word ("-"), entries whose two sides are equal, and repeated
tortured phrases are dropped. On the list of 2026-03-06 that leaves 7,066 pairs.
"""

from __future__ import annotations

import json
import re
import sys

_ANNOTATION = re.compile(r'[?\[\]\\/"*;{}…]|\.\.')
_WORD = re.compile(r"[A-Za-z0-9]")
_TRAILING_ACRONYM = re.compile(r"\s*\([^()]*\)\s*$")


def pairs(phrases: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The cleaned (tortured, expected) pairs, in list order."""
    out, seen = [], set()
    for entry in phrases:
        tortured, expected = entry.get("tortured", "").strip(), entry.get("correct", "").strip()
        if _ANNOTATION.search(tortured) or _ANNOTATION.search(expected):
            continue
        m = _TRAILING_ACRONYM.search(expected)
        if m:
            if "(" in tortured:
                continue
            expected = expected[: m.start()].strip()
        if "(" in expected or "(" in tortured:
            continue
        if not _WORD.search(tortured) or not _WORD.search(expected):  # "fenced in area system" → "-"
            continue
        if tortured.lower() == expected.lower() or tortured.lower() in seen:
            continue
        seen.add(tortured.lower())
        out.append((" ".join(tortured.split()), " ".join(expected.split())))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        phrases = json.load(f)["phrases"]
    sys.stdout.write("tortured\texpected\tsource\n")
    for tortured, expected in pairs(phrases):
        sys.stdout.write(f"{tortured}\t{expected}\tpps\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
