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
from collections.abc import Callable, Iterable, Iterator
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
    if out == spun:  # nothing changed (most clean documents): every required edit is missed
        res = Score(required=sum(not e["optional"] for e in edits), words=len(spun.split()), docs=1, identical_docs=1)
        res.details = [("MISS", ed["spun"], ed["gold"]) for ed in edits if not ed["optional"]]
        return res
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
        ok = set(_readings(spun, [edits[k] for k in ks], s, e, with_spun=True))
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


def judge_gold(spun: str, candidates: Iterable[Any], edits: list[dict[str, Any]]) -> list[tuple[float, bool]]:
    """(score, correct) for each candidate change of a real page: correct when the page with that
    change alone applied scores good changes only (``score_output``; a change over two gold edits
    counts as two), or when it is part of a longer gold edit and its words stand in that edit's
    gold (``_part_of_gold``). Real gold edits and despin's changes often cut the text differently
    ("boost cash" → *raise money* is one change over two gold edits; "area unit" → *are* is a
    change inside the gold edit "area unit such a lot of product" → *are so many products*), which
    the exact-span test of ``judge`` would call wrong."""
    out = []
    for c in candidates:
        s = score_output(spun, spun[: c.start] + c.restored + spun[c.end :], edits)
        ok = (s.changes > 0 and s.good_changes == s.changes) or _part_of_gold(spun, c, edits)
        out.append((c.score, ok))
    return out


def _part_of_gold(spun: str, c: Any, edits: list[dict[str, Any]]) -> bool:
    """Whether change ``c`` lies inside the gold edits it overlaps, changes fewer words than they
    do, and its restored words appear, in order and together, in one of their gold readings (the
    rest of the edit left for other changes to restore)."""
    touched = [e for e in edits if e["start"] < c.end and e["end"] > c.start]
    if not touched:
        return False
    lo, hi = min(e["start"] for e in touched), max(e["end"] for e in touched)
    if not (lo <= c.start and c.end <= hi) or (lo, hi) == (c.start, c.end):
        return False
    mine = _norm(c.restored).split()
    if not mine or _norm(c.restored) == _norm(c.spun):
        return False
    for reading in _readings(spun, sorted(touched, key=lambda e: e["start"]), lo, hi):
        gold = reading.split()
        if any(gold[k : k + len(mine)] == mine for k in range(len(gold) - len(mine) + 1)):
            return True
    return False


def _readings(spun: str, eds: list[dict[str, Any]], start: int, end: int, with_spun: bool = False) -> Iterator[str]:
    """Every accepted reading (normalised) of ``spun[start:end]`` with the gold edits ``eds`` (in
    text order, inside the span) each replaced by one of its alternatives; ``with_spun`` also
    accepts a required edit's spun form where the reference scorer does."""
    pieces, cur = [], start
    for ed in eds:
        pieces.append([spun[cur : ed["start"]]])
        pieces.append(ed["gold"] + ([ed["spun"]] if with_spun and not ed["optional"] else []))
        cur = ed["end"]
    pieces.append([spun[cur:end]])
    return (_norm("".join(p)) for p in itertools.product(*pieces))


def eval_clean(paths: Iterable[str | Path], restore: Callable[[str], str]) -> list[tuple[str, Score]]:
    """False changes on clean JSONL corpora (every change counts as false)."""
    out = []
    for p in paths:
        total = Score()
        for text in iter_jsonl_texts(p):
            total += score_output(text, restore(text), [])
        out.append((Path(p).name, total))
    return out


# -- simulated benchmark and calibration -----------------------------------------------------------


@dataclass
class SimResult:
    """The simulated benchmark: restoration counts, document detection, and every scored candidate."""

    score: Score
    doc_tp: int = 0
    doc_fp: int = 0
    doc_fn: int = 0
    doc_tn: int = 0
    judged: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def detection_precision(self) -> float:
        return self.doc_tp / (self.doc_tp + self.doc_fp) if self.doc_tp + self.doc_fp else 1.0

    @property
    def detection_recall(self) -> float:
        return self.doc_tp / (self.doc_tp + self.doc_fn) if self.doc_tp + self.doc_fn else 1.0


def judge(changes: Iterable[Any], edits: list[dict[str, Any]]) -> list[tuple[float, bool]]:
    """(score, correct) for each change: correct when it replaces exactly a gold edit's span by
    one of its gold alternatives (case-insensitively)."""
    gold = {(e["start"], e["end"]): {_norm(g) for g in e["gold"]} for e in edits}
    return [(c.score, _norm(c.restored) in gold.get((c.start, c.end), ())) for c in changes]


def simulate_corpus(
    texts: list[str],
    restorer: Any,
    families: Iterable[str] | None = None,
    rate: float = 0.8,
    mix: float = 0.1,
    folds: int = 0,
    seed: int = 0,
) -> SimResult:
    """Spin a share ``mix`` of ``texts`` (every document when ``mix`` is 1) and restore all of them.

    With ``folds`` > 1, the lexicon keys are split into that many folds by a stable hash; the
    documents of fold k are spun only with keys of fold k and restored by a restorer denied those
    keys, so the result measures what despin flags without the row that produced the spin.
    """
    from .simulate import Spinner

    lexicon = restorer.lexicon
    picked = [zlib_crc(f"{seed}:{k}") % 1000 < mix * 1000 for k in range(len(texts))]
    res = SimResult(Score())
    spinners: dict[int, tuple[Any, Any]] = {}
    for k, text in enumerate(texts):
        fold = k % folds if folds > 1 else -1
        if fold not in spinners:
            if fold < 0:
                spinners[fold] = (Spinner(lexicon, families), restorer)
            else:
                held = {key for key in lexicon.entries if zlib_crc(key) % folds == fold}
                rest = set(lexicon.entries) - held
                spinners[fold] = (Spinner(lexicon, families, deny=rest), restorer.denying(held))
        spinner, fold_restorer = spinners[fold]
        if picked[k]:
            spun = spinner.spin(text, rate=rate, seed=f"{seed}:{k}")
            doc, edits = spun.text, spun.edits
        else:
            doc, edits = text, []
        analysis = fold_restorer.analyze(doc)
        out = _apply(doc, analysis.changes)
        res.score += score_output(doc, out, edits)
        spun_doc = bool(edits)
        flagged = analysis.report.spin >= 0.5
        res.doc_tp += spun_doc and flagged
        res.doc_fp += (not spun_doc) and flagged
        res.doc_fn += spun_doc and not flagged
        res.doc_tn += (not spun_doc) and not flagged
        res.judged += judge(analysis.flags, edits)
    return res


def zlib_crc(s: str) -> int:
    import zlib

    return zlib.crc32(s.encode("utf-8"))


def _apply(text: str, changes: Iterable[Any]) -> str:
    from .apply import apply_changes

    return apply_changes(text, changes)


def reliability(judged: list[tuple[float, bool]], edges: tuple[float, ...] = (-1, -0.5, 0, 0.5, 1, 1.5, 2)) -> list[
        tuple[str, int, float, float]]:
    """Rows (score bin, candidates, measured share right, share the score predicts at the bin's
    mean): a calibrated score has the last two columns close."""
    rows = []
    bounds = (-1e9, *edges, 1e9)
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        inbin = [(s, ok) for s, ok in judged if lo <= s < hi]
        if not inbin:
            continue
        mean = sum(s for s, _ in inbin) / len(inbin)
        predicted = 1.0 / (1.0 + 10.0 ** -mean)
        label = f"[{lo:g}, {hi:g})".replace("-1e+09", "-inf").replace("1e+09", "inf")
        rows.append((label, len(inbin), sum(ok for _, ok in inbin) / len(inbin), predicted))
    return rows


def pr_curve(judged: list[tuple[float, bool]], required: int,
             thresholds: tuple[float, ...] = (-0.5, -0.25, 0, 0.15, 0.25, 0.5, 0.75, 1)) -> list[
                 tuple[float, float, float, int]]:
    """(threshold, precision, recall, changes) if every candidate at or above the threshold were applied."""
    rows = []
    for t in thresholds:
        applied = [ok for s, ok in judged if s >= t]
        right = sum(applied)
        rows.append((t, right / len(applied) if applied else 1.0, right / required if required else 1.0, len(applied)))
    return rows


# -- the `despin eval` command ---------------------------------------------------------------------


def add_arguments(p: Any) -> None:
    """Arguments of ``despin eval`` (an argparse parser)."""
    p.add_argument("gold", nargs="*", help="gold JSON files or folders (*.gold.json)")
    p.add_argument("--clean", action="append", default=[], metavar="PATH",
                   help="clean JSONL file or folder (repeatable); every change there is false")
    p.add_argument("--simulate", action="append", default=[], metavar="PATH",
                   help="clean JSONL file or folder to spin with the lexicons' forward maps (repeatable)")
    p.add_argument("--sim-family", action="append", dest="sim_families", metavar="NAME",
                   help="family whose forward map spins (default: news)")
    p.add_argument("--rate", type=float, default=0.8, help="share of originals the simulator replaces (0.8)")
    p.add_argument("--mix", type=float, default=0.1, help="share of simulated documents that are spun (0.1)")
    p.add_argument("--folds", type=int, default=0, help="k-fold: restore without the rows used for spinning")
    p.add_argument("--pairs", action="append", default=[], metavar="TSV",
                   help="(spun, original) pairs, e.g. tortured phrases, to restore in carrier sentences")
    p.add_argument("--deny-source", action="append", default=[], metavar="TAG",
                   help="evaluate without the rows of this source (repeatable): e.g. what despin "
                        "does with tortured phrases of an imported list had it not been imported")
    p.add_argument("--plot", metavar="PNG", help="write the reliability diagram and PR curve (needs matplotlib)")
    p.add_argument("-v", "--verbose", action="store_true", help="print misses and wrong changes")


def _expand(path: str, suffix: str) -> list[str]:
    p = Path(path)
    return sorted(str(x) for x in p.glob(f"*{suffix}")) if p.is_dir() else [path]


def coverage(gold_files: list[str], lexicon: Any) -> dict[str, tuple[int, int]]:
    """Per family: (gold edits whose spun text is a key of that family with the gold among its
    candidates, all required gold edits). The ceiling that family's rows put on recall."""
    from .tokens import normalize

    covered: dict[str, int] = {f: 0 for f in lexicon.families}
    total = 0
    for path in gold_files:
        for ed in load_gold(path)["edits"]:
            if ed["optional"]:
                continue
            total += 1
            golds = {normalize(g) for g in ed["gold"]}
            fams = {e.family for e in lexicon.entries.get(normalize(ed["spun"]), ())
                    if golds & {normalize(a) for a in e.restored}}
            for f in fams:
                covered[f] = covered.get(f, 0) + 1
    return {f: (n, total) for f, n in covered.items()}


def run(args: Any, restorer: Any, out: Any = None) -> int:
    """``despin eval``: print every table asked for; 2 when nothing to evaluate was given."""
    import sys

    out = out or sys.stdout
    gold_files = [p for g in args.gold for p in _expand(g, ".gold.json")]
    clean_files = [p for c in args.clean for p in _expand(c, ".jsonl")]
    sim_files = [p for c in args.simulate for p in _expand(c, ".jsonl")]
    if not (gold_files or clean_files or sim_files or args.pairs):
        print("despin eval: give gold JSON files or folders, --clean or --simulate JSONL", file=sys.stderr)
        return 2

    def line(*parts: Any) -> None:
        print(*parts, file=out)

    if args.deny_source:
        by_source = keys_by_source(restorer.lexicon)
        unknown = sorted(set(args.deny_source) - set(by_source))
        if unknown:  # a misspelt tag would deny nothing and measure the full lexicon
            print(f"despin eval: no lexicon row has source {', '.join(unknown)}; the sources are "
                  f"{', '.join(sorted(by_source))}", file=sys.stderr)
            return 2
        denied = set().union(*(by_source[tag] for tag in args.deny_source))
        line(f"denied: the {len(denied)} lexicon keys of source {', '.join(args.deny_source)}")
        restorer = restorer.denying(denied)

    if gold_files:
        total = Score()
        judged: list[tuple[float, bool]] = []
        line(f"{'gold file':44} {'recall':>7} {'prec.':>7} {'correct':>9} {'good/changes':>13}")
        for path in gold_files:
            g = load_gold(path)
            spun = g["spun"].rstrip("\n")
            analysis = restorer.analyze(spun)
            name, s = Path(path).name, score_output(spun, _apply(spun, analysis.changes).rstrip("\n"), g["edits"])
            judged += judge_gold(spun, analysis.flags, g["edits"])
            total += s
            line(f"{name:44} {s.recall:7.3f} {s.precision:7.3f} {s.correct:4}/{s.required:<4} "
                 f"{s.good_changes:5}/{s.changes:<5}")
            if args.verbose:
                for d in s.details:
                    line("    " + " | ".join(map(str, d)))
        line(f"{'TOTAL':44} {total.recall:7.3f} {total.precision:7.3f} {total.correct:4}/{total.required:<4} "
             f"{total.good_changes:5}/{total.changes:<5}")
        line("\nlexicon coverage of the required gold edits, by family:")
        for fam, (n, t) in sorted(coverage(gold_files, restorer.lexicon).items()):
            line(f"  {fam:20} {n:5}/{t:<5} {n / t if t else 0:.3f}")
        _calibration(line, judged, total.required, args.plot)
    if clean_files:
        total = Score()
        line(f"\n{'clean corpus':44} {'words':>8} {'false':>6} {'per 1k':>7} {'identical':>10}")
        for name, s in eval_clean(clean_files, restorer.restore):
            total += s
            line(f"{name:44} {s.words:8} {s.false_changes:6} {s.false_per_1k:7.3f} {s.identical_docs:4}/{s.docs:<5}")
            if args.verbose:
                for d in s.details:
                    line("    " + " | ".join(map(str, d)))
        share = total.identical_docs / total.docs if total.docs else 1.0
        line(f"{'TOTAL':44} {total.words:8} {total.false_changes:6} {total.false_per_1k:7.3f} "
             f"{total.identical_docs:4}/{total.docs:<5} ({share:.1%} identical)")
    for path in args.pairs:
        pairs = read_pairs(path)
        misses: list[tuple[str, str, str]] = []
        n, flagged, restored = eval_pairs(pairs, restorer, misses)
        line(f"\npairs in carrier sentences ({Path(path).name}): {n} pairs, flagged {flagged / max(n, 1):.3f}, "
             f"restored exactly {restored / max(n, 1):.3f} ({keyed(pairs, restorer.lexicon)} of the phrases "
             "are lexicon keys as written)")
        if args.verbose:
            for tortured, expected, got in misses:
                line(f"    MISS | {tortured} | {expected} | despin wrote: {got}")
    if sim_files:
        texts = [t for p in sim_files for t in iter_jsonl_texts(p)]
        fams = args.sim_families or ["news"]
        sim = simulate_corpus(texts, restorer, fams, rate=args.rate, mix=args.mix, folds=args.folds)
        s = sim.score
        line(f"\nsimulated spin ({', '.join(fams)}; rate {args.rate}, mix {args.mix}, folds {args.folds}) "
             f"over {s.docs} documents:")
        line(f"  restoration: recall {s.recall:.3f} precision {s.precision:.3f} "
             f"({s.correct}/{s.required} restored, {s.false_changes} wrong or false changes)")
        line(f"  document detection: precision {sim.detection_precision:.3f} recall {sim.detection_recall:.3f} "
             f"(tp {sim.doc_tp} fp {sim.doc_fp} fn {sim.doc_fn} tn {sim.doc_tn})")
        if args.verbose:
            for d in s.details:
                line("    " + " | ".join(map(str, d)))
        _calibration(line, sim.judged, s.required, args.plot)
    return 0


def _calibration(line: Callable[..., None], judged: list[tuple[float, bool]], required: int,
                 plot: str | None) -> None:
    """Print the reliability table and the precision/recall curve of the scored candidates (and
    plot them when asked; a run with both gold files and a simulation plots the simulation)."""
    line("  reliability (score bin, candidates, measured share right, predicted by the score):")
    for label, count, right, pred in reliability(judged):
        line(f"    {label:14} {count:6} {right:7.3f} {pred:7.3f}")
    line("  precision/recall if candidates at or above each threshold were applied:")
    curve = pr_curve(judged, required)
    for th, p_, r_, n_changes in curve:
        line(f"    threshold {th:+5.2f}: precision {p_:.3f} recall {r_:.3f} ({n_changes} changes)")
    if plot:
        _plot(plot, reliability(judged), curve)
        line(f"  plot written to {plot}")


def _plot(path: str, rel: list[tuple[str, int, float, float]], curve: list[tuple[float, float, float, int]]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("despin eval --plot needs matplotlib: pip install 'despin[plot]'") from None
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot([r[3] for r in rel], [r[2] for r in rel], "o-", label="despin")
    a1.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    a1.set_xlabel("predicted P(right) from the score")
    a1.set_ylabel("measured share right")
    a1.set_title("reliability")
    a1.legend()
    a2.plot([c[2] for c in curve], [c[1] for c in curve], "o-")
    for t, p_, r_, _n in curve:
        a2.annotate(f"{t:+.1f}", (r_, p_))
    a2.set_xlabel("recall")
    a2.set_ylabel("precision")
    a2.set_title("precision/recall over thresholds")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


# -- tortured phrases in carrier sentences ---------------------------------------------------------

# Carrier sentences in the register of the papers where tortured phrases appear; {} is the phrase.
CARRIERS = (
    "In this paper, we propose a new approach based on {} for the analysis of the collected data.",
    "Recent studies have shown that {} plays an important role in modern research.",
    "The results of the experiment confirm that {} can improve the overall performance.",
)


def eval_pairs(pairs: list[tuple[str, str]], restorer: Any,
               misses: list[tuple[str, str, str]] | None = None) -> tuple[int, int, int]:
    """(pairs, flagged, restored exactly) for (tortured, expected) pairs, each placed in the
    carrier sentences in turn: flagged when a flag covers the phrase in every carrier, restored
    when the output holds the expected phrase (case-insensitively) in place of it in every one.
    ``misses``, when given, receives (tortured, expected, what despin wrote in its place in the
    first carrier that failed) for each pair not restored: what a curator needs to see."""
    from .tokens import normalize

    flagged = restored = 0
    for tortured, expected in pairs:
        ok_flag = ok_restore = True
        for carrier in CARRIERS:
            text = carrier.format(tortured)
            start = text.index(tortured)
            end = start + len(tortured)
            analysis = restorer.analyze(text)
            if not any(f.start < end and f.end > start for f in analysis.flags):
                ok_flag = False
            out = _apply(text, analysis.changes)
            want = normalize(carrier.format(expected))
            if normalize(out) != want and ok_restore:
                ok_restore = False
                if misses is not None:
                    before, after = carrier.split("{}")
                    whole = out.startswith(before) and out.endswith(after)
                    got = out[len(before) : len(out) - len(after)] if whole else out
                    misses.append((tortured, expected, got))
        flagged += ok_flag
        restored += ok_restore
    return len(pairs), flagged, restored


def keyed(pairs: list[tuple[str, str]], lexicon: Any) -> int:
    """How many of the pairs' spun phrases are keys of the lexicon: a list imported into it scores
    near 1 by construction, so coverage of unseen phrases is read off the other pairs."""
    from .tokens import normalize

    return sum(normalize(spun) in lexicon.entries for spun, _ in pairs)


def keys_by_source(lexicon: Any) -> dict[str, set[str]]:
    """Each source tag (the lexicon files' ``source`` column) with the keys that have a row from it."""
    out: dict[str, set[str]] = {}
    for key in lexicon.entries:
        for e in lexicon.entries[key]:
            out.setdefault(e.source, set()).add(key)
    return out


def keys_of_sources(lexicon: Any, sources: set[str]) -> set[str]:
    """The keys with a row from one of these sources: denying them measures despin as if those rows
    had never been imported."""
    by_source = keys_by_source(lexicon)
    return set().union(*(by_source.get(tag, set()) for tag in sources))


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """(spun, original) pairs from a TSV with a header line (``tortured<TAB>expected...``)."""
    out = []
    with open(path, encoding="utf-8") as f:
        next(f, None)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0] and cols[1]:
                out.append((cols[0], cols[1]))
    return out
