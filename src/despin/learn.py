"""Propose lexicon rows from parallel (spun, original) texts.

Users who hold parallel data (a spun copy and its source) can grow a lexicon from it: both texts
are split into words with despin's tokenizer, aligned with ``rapidfuzz``'s Levenshtein opcodes over
the lower-cased word lists, and every replaced run of one to ``MAX_RUN`` words on each side
becomes a candidate row ``spun → original``. Rows are counted across all pairs and printed in the
lexicon format with the count and an example in the note, so a curator can review and keep them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from .lexicon import COLUMNS, LexiconError, parse_header, parse_row
from .tokens import normalize, tokenize

# Longest replaced run (words, each side) proposed as a row: longer runs in parallel texts are
# rewritten sentences rather than spinner swaps.
MAX_RUN = 6


@dataclass
class Proposal:
    """A candidate row with its evidence."""

    spun: str
    original: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.start, t.end) for t in tokenize(text) if t.kind in ("word", "number")]


def align(spun: str, original: str) -> Iterable[tuple[str, str, str]]:
    """Yield (spun phrase, original phrase, context) for each replaced run of words."""
    a, b = _words(spun), _words(original)
    ops = Levenshtein.opcodes([w.lower() for w, _, _ in a], [w.lower() for w, _, _ in b])
    # join adjacent non-equal operations: "international locations" -> "countries" comes out as a
    # replace and a delete
    regions: list[list[int]] = []
    for op in ops:
        if op.tag == "equal":
            continue
        if regions and regions[-1][1] == op.src_start and regions[-1][3] == op.dest_start:
            regions[-1][1], regions[-1][3] = op.src_end, op.dest_end
        else:
            regions.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    for i1, i2, j1, j2 in regions:
        if not (1 <= i2 - i1 <= MAX_RUN and 1 <= j2 - j1 <= MAX_RUN):
            continue
        # a run of equal length is word-for-word swaps ("provide might doubtlessly" for "offer could
        # potentially"); unequal runs are phrase swaps ("international locations" for "countries")
        spans = ([(i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                 if i2 - i1 == j2 - j1 else [(i1, i2, j1, j2)])
        for si, se, oi, oe in spans:
            s_phrase = spun[a[si][1] : a[se - 1][2]]
            o_phrase = original[b[oi][1] : b[oe - 1][2]]
            if "\n" in s_phrase or "\n" in o_phrase:
                continue
            lo, hi = max(0, a[si][1] - 30), min(len(spun), a[se - 1][2] + 30)
            yield normalize(s_phrase), normalize(o_phrase), " ".join(spun[lo:hi].split())


def learn(pairs: Iterable[tuple[str, str]], known: set[str] | None = None, min_count: int = 1) -> list[Proposal]:
    """Proposals from (spun, original) pairs, most frequent first; keys in ``known`` are skipped."""
    found: dict[tuple[str, str], Proposal] = {}
    for spun, original in pairs:
        for s, o, context in align(spun, original):
            if not s or not o or s == o or (known and s in known):
                continue
            p = found.setdefault((s, o), Proposal(s, o))
            p.count += 1
            if len(p.examples) < 2:
                p.examples.append(context)
    out = [p for p in found.values() if p.count >= min_count]
    out.sort(key=lambda p: (-p.count, p.spun, p.original))
    return out


def to_tsv(proposals: list[Proposal], family: str) -> str:
    """The proposals as a lexicon file (one row per spun key; alternatives by count)."""
    by_key: dict[str, Counter[str]] = {}
    notes: dict[str, str] = {}
    for p in proposals:
        by_key.setdefault(p.spun, Counter())[p.original] += p.count
        notes.setdefault(p.spun, f"learned: seen {p.count}x, e.g. {p.examples[0]!r}" if p.examples else "learned")
    lines = [
        "# despin lexicon",
        "# format: 1",
        f"# family: {family}",
        "# source learned: proposed by despin learn from parallel texts; review before use; licence of the data",
        "\t".join(COLUMNS),
    ]
    header = parse_header(lines, "<learned>")
    for key, originals in by_key.items():
        alts = [o for o, _ in originals.most_common() if normalize(o) != key and "|" not in o]
        row = "\t".join([key, "|".join(alts), "", "", "", "", notes[key].replace("\t", " ")])
        try:
            parse_row(row, len(lines) + 1, header)  # keep only rows the lexicon parser accepts
        except LexiconError:
            continue
        lines.append(row)
    return "\n".join(lines) + "\n"


def main(args: Any) -> int:
    """``despin learn``: read the pairs, print or write the proposed rows."""
    import json
    import sys

    from . import corpus
    from .cli import refuse_overwrite, write_atomic
    from .lexicon import load

    def _read_text(path: str) -> str:
        with corpus.open_input(path) as src:
            return corpus.decode_text(src.stream.read(), path, lossless=False)

    if refuse_overwrite([*args.files, *args.jsonl], args.output):
        return 1
    pairs: list[tuple[str, str]] = []
    if len(args.files) % 2:
        print("despin learn: give files in pairs: SPUN ORIGINAL [SPUN ORIGINAL ...]", file=sys.stderr)
        return 2
    for spun_path, orig_path in zip(args.files[::2], args.files[1::2], strict=True):
        pairs.append((_read_text(spun_path), _read_text(orig_path)))
    for path in args.jsonl:
        with corpus.open_input(path) as src:
            for lineno, raw in enumerate(src.stream, 1):
                try:
                    rec = json.loads(raw.decode("utf-8"))
                    spun, orig = rec[args.spun_field], rec[args.orig_field]
                    if not (isinstance(spun, str) and isinstance(orig, str)):
                        raise TypeError
                except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
                    print(f"despin learn: {path}:{lineno}: not a UTF-8 JSON object with string fields "
                          f"{args.spun_field!r} and {args.orig_field!r}; skipped", file=sys.stderr)
                    continue
                pairs.append((spun, orig))
    known = set(load().entries) if args.new_only else None
    tsv = to_tsv(learn(pairs, known, args.min_count), args.family)
    if args.output and args.output != "-":
        write_atomic(args.output, tsv)
    else:
        sys.stdout.write(tsv)
    return 0


def add_arguments(p: Any) -> None:
    p.add_argument("files", nargs="*", help="SPUN ORIGINAL text file pairs")
    p.add_argument("--jsonl", action="append", default=[], help="JSONL of pairs (repeatable)")
    p.add_argument("--spun-field", default="spun", help="field of the spun text in --jsonl (spun)")
    p.add_argument("--orig-field", default="orig", help="field of the original in --jsonl (orig)")
    p.add_argument("--family", default="learned", help="family name for the proposed lexicon (learned)")
    p.add_argument("--min-count", type=int, default=1, help="only pairs seen at least this often")
    p.add_argument("--new-only", action="store_true", help="skip keys the shipped lexicons already have")
    p.add_argument("-o", "--output", help="write the proposed lexicon here (default stdout)")
