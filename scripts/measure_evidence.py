"""Print the document-evidence figures behind score.FAMILY_GATES.

For each family and minimum row weight, the strong hits (LM gain above score.STRONG_GAIN) per 100
words (+ score.EVIDENCE_PSEUDO_WORDS) in every clean document (max, 99th and 95th percentile) and
in each gold passage. A family's gate centre belongs between the clean maximum and the passages
that family spun.

Usage:  python scripts/measure_evidence.py ../shared   [weights, default 1,3,5]
"""

from __future__ import annotations

import glob
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from despin import score  # noqa: E402
from despin.match import Words, find  # noqa: E402
from despin.restorer import Restorer  # noqa: E402
from despin.screen import fast_tokens  # noqa: E402


def densities(text: str, r: Restorer, weights: list[float]) -> dict[tuple[str, float], float]:
    lex, lm = r.lexicon, r.model
    words = Words(text)
    out: Counter[tuple[str, float]] = Counter()
    for m in find(words, lex):
        gain = max(score.lm_gain(lm, words, m, a) for e in m.entries for a in e.restored)
        if gain <= score.STRONG_GAIN:
            continue
        for fam, w in {(e.family, e.weight) for e in m.entries if e.scope != "name"}:
            for floor in weights:
                if w >= floor:
                    out[(fam, floor)] += 1
    n = len(fast_tokens(text)) + score.EVIDENCE_PSEUDO_WORDS  # the gate's unit (DocReport.words)
    return {k: 100.0 * v / n for k, v in out.items()}


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared")
    weights = [float(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "1,3,5").split(",")]
    r = Restorer()
    clean = [json.loads(line)["text"] for f in sorted(glob.glob(str(shared / "corpora/clean/*.jsonl")))
             if "bbc" not in f for line in open(f, encoding="utf-8")]
    dens = [densities(t, r, weights) for t in clean]
    print(f"clean documents: {len(clean)} (BBC left out)")
    print(f"{'family':12} {'weight>=':>8} {'max':>6} {'p99':>6} {'p95':>6}")
    for key in sorted({k for d in dens for k in d}):
        v = sorted(d.get(key, 0.0) for d in dens)
        print(f"{key[0]:12} {key[1]:8g} {v[-1]:6.2f} {v[int(len(v) * 0.99)]:6.2f} {v[int(len(v) * 0.95)]:6.2f}")
    golds = sorted(glob.glob(str(shared / "examples/wild-dev/*.gold.json")))
    golds.append(str(shared / "examples/seed/putin-kim.first-half.gold.json"))
    for g in golds:
        d = densities(json.loads(Path(g).read_text(encoding="utf-8"))["spun"], r, weights)
        cells = " ".join(f"{f[:5]}>={w:g}:{v:.1f}" for (f, w), v in sorted(d.items()))
        print(f"{Path(g).name[:16]:16} {cells}")


if __name__ == "__main__":
    main()
