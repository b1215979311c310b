"""Evaluation: recall and precision against gold edits, false changes on clean corpora.

The metric is the one of the shared reference scorer (``tools/score_restoration.py``), written
again here so that a fresh clone can evaluate without it (a test checks that both agree):

- Gold JSON: ``{"spun": str, "edits": [{"start", "end", "spun", "gold": [alternatives],
  "optional": bool}]}`` with offsets into ``spun``. An optional edit's spun form is acceptable.
- The output is aligned to the spun text token by token (difflib over lower-cased word and
  punctuation tokens). Each cluster of changed tokens, joined with the gold edits it touches, is
  one change; it is correct when its output matches some combination of accepted alternatives.
- recall = required edits restored correctly / required edits;
  precision = correct changes / changes (a change where no edit is due is false).
- On clean text (no edits) every change is false: we report false changes per 1,000
  whitespace-separated words and the share of documents left byte-identical.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_TOK = re.compile(r"\w+(?:[’']\w+)*|[^\w\s]", re.UNICODE)


def _norm(s: str) -> str:
    return " ".join(t.lower() for t in _TOK.findall(s.replace("’", "'")))


def _tokens(s: str) -> list[tuple[str, int, int]]:
    return [(m.group().replace("’", "'").lower(), m.start(), m.end()) for m in _TOK.finditer(s)]


@dataclass
class Score:
    """Counts for one document or a sum of documents."""

    required: int = 0
    correct: int = 0
    changes: int = 0
    good_changes: int = 0
    false_changes: int = 0
    words: int = 0
    docs: int = 0
    identical_docs: int = 0
    details: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.correct / self.required if self.required else 1.0

    @property
    def precision(self) -> float:
        return self.good_changes / self.changes if self.changes else 1.0

    @property
    def false_per_1k(self) -> float:
        return 1000.0 * self.false_changes / self.words if self.words else 0.0

    def __iadd__(self, other: Score) -> Score:
        for k in ("required", "correct", "changes", "good_changes", "false_changes", "words", "docs",
                  "identical_docs"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.details += other.details
        return self


def score_output(spun: str, out: str, edits: list[dict[str, Any]]) -> Score:
    """Judge ``out`` (a restoration of ``spun``) against gold ``edits``."""
    a, b = _tokens(spun), _tokens(out)
    ops = difflib.SequenceMatcher(None, [t[0] for t in a], [t[0] for t in b], autojunk=False).get_opcodes()
    jmap = {}
    for op, i1, i2, j1, _j2 in ops:
        if op == "equal":
            for k in range(i2 - i1):
                jmap[i1 + k] = j1 + k

    def tok_range(s: int, e: int) -> tuple[int, int] | None:
        idx = [k for k, t in enumerate(a) if t[1] < e and t[2] > s]
        return (idx[0], idx[-1] + 1) if idx else None

    eranges = [tok_range(ed["start"], ed["end"]) for ed in edits]

    def edit_at(i: int) -> int | None:
        for k, r in enumerate(eranges):
            if r and r[0] <= i < r[1]:
                return k
        return None

    clusters: list[dict[str, Any]] = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            continue
        if i1 == i2:
            at = edit_at(i1 - 1)
            if at is None:
                at = edit_at(i1)
            found = {at} if at is not None else set()
        else:
            found = {k for k in (edit_at(i) for i in range(i1, i2)) if k is not None}
        lo, hi = i1, i2
        for k in found:
            r = eranges[k]
            assert r is not None
            lo, hi = min(lo, r[0]), max(hi, r[1])
        clusters.append({"i1": lo, "i2": hi, "j1": j1, "j2": j2, "edits": found})
    clusters.sort(key=lambda c: (c["i1"], c["i2"]))
    merged: list[dict[str, Any]] = []
    for c in clusters:
        if merged and (c["i1"] < merged[-1]["i2"] or (c["edits"] & merged[-1]["edits"])
                       or (c["i1"] == merged[-1]["i2"] == c["i2"])):
            m = merged[-1]
            m["i2"] = max(m["i2"], c["i2"])
            m["j1"] = min(m["j1"], c["j1"])
            m["j2"] = max(m["j2"], c["j2"])
            m["edits"] |= c["edits"]
        else:
            merged.append(c)
    res = Score(required=sum(not e["optional"] for e in edits), words=len(spun.split()), docs=1,
                identical_docs=int(spun == out))
    touched: set[int] = set()
    for c in merged:
        js = [c["j1"], c["j2"]]
        for i in range(c["i1"], c["i2"]):
            if i in jmap:
                js += [jmap[i], jmap[i] + 1]
        j1, j2 = min(js), max(js)
        s = a[c["i1"]][1] if c["i1"] < len(a) else len(spun)
        e = a[c["i2"] - 1][2] if c["i2"] > c["i1"] else s
        out_span = out[b[j1][1] : b[j2 - 1][2]] if j2 > j1 else ""
        res.changes += 1
        ks: list[int] = sorted(c["edits"])
        touched.update(ks)
        if not ks:
            res.false_changes += 1
            res.details.append(("FALSE", spun[max(0, s - 30) : e + 30].replace("\n", " "), spun[s:e], out_span))
            continue
        pieces, cur = [], s
        for k in ks:
            ed = edits[k]
            pieces.append([spun[cur : ed["start"]]])
            pieces.append(ed["gold"] + ([ed["spun"]] if not ed["optional"] else []))
            cur = ed["end"]
        pieces.append([spun[cur:e]])
        ok = {_norm("".join(p)) for p in itertools.product(*pieces)}
        if _norm(out_span) in ok:
            res.good_changes += 1
            res.correct += sum(not edits[k]["optional"] for k in ks)
        else:
            res.false_changes += 1
            res.details.append(("WRONG", spun[s:e], out_span, [edits[k]["gold"] for k in ks]))
    for k, ed in enumerate(edits):
        if k not in touched and not ed["optional"]:
            res.details.append(("MISS", ed["spun"], ed["gold"]))
    return res


def load_gold(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        gold: dict[str, Any] = json.load(f)
    if "spun" not in gold or "edits" not in gold:
        raise ValueError(f"{path}: not a gold file (needs 'spun' and 'edits')")
    return gold


def iter_jsonl_texts(path: str | Path, field_name: str = "text") -> Iterable[str]:
    """The text field of every JSON object line of a JSONL file (other lines are skipped)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get(field_name), str):
                yield rec[field_name]


def eval_gold(paths: Iterable[str | Path], restore: Callable[[str], str]) -> list[tuple[str, Score]]:
    """Score each gold file's restoration."""
    out = []
    for p in paths:
        g = load_gold(p)
        spun = g["spun"].rstrip("\n")
        out.append((Path(p).name, score_output(spun, restore(spun).rstrip("\n"), g["edits"])))
    return out


def eval_clean(paths: Iterable[str | Path], restore: Callable[[str], str]) -> list[tuple[str, Score]]:
    """False changes on clean JSONL corpora (every change counts as false)."""
    out = []
    for p in paths:
        total = Score()
        for text in iter_jsonl_texts(p):
            total += score_output(text, restore(text), [])
        out.append((Path(p).name, total))
    return out
