"""Fit the scorer's coefficients (score.MODELS, score.ALPHA) by logistic regression on gold matches.

Every lexicon match in a gold document is one example: positive when it lies on a gold edit and
one of its candidates is an accepted original, negative otherwise (a genuine word, or a row that
cannot restore it). The features are those of ``score.features`` (a feature that is constant over a family's
matches, as "generated" is for the all-curated news rows, fits to 0) plus the independent LM gain;
the fitted log-odds are printed in log10 units, ready to paste into ``score.py``.

Usage (needs the shared dev material beside the project), e.g. for the news family:
    python scripts/fit_scorer.py --families=news ../shared/examples/seed/putin-kim.first-half.gold.json \\
        ../shared/examples/wild-dev/0[1-46-9]*.gold.json ../shared/examples/wild-dev/15*.gold.json

Only documents that are spun are used: the document gate (``score.document_report``) handles
clean text, and this fit answers "in a spun document, is this match a substitution?".
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from despin import score  # noqa: E402
from despin.match import Words, find  # noqa: E402
from despin.restorer import Restorer  # noqa: E402
from despin.tokens import normalize  # noqa: E402


def examples(paths: list[str], families: tuple[str, ...] | None) -> tuple[list[list[float]], list[int], list[str]]:
    r = Restorer(families=families)
    lex, lm, model = r.lexicon, r.model, r.config.model
    xs, ys, names = [], [], []
    for path in paths:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        text = gold["spun"]
        words = Words(text)
        matches = find(words, lex)
        edits = gold["edits"]
        labels = {}
        for k, m in enumerate(matches):
            on = [e for e in edits if e["start"] < m.end and e["end"] > m.start]
            labels[k] = {e: int(bool(on) and any(restores(text, m.start, m.end, a, on) for a in e.restored))
                         for e in m.entries}
        for k, m in enumerate(matches):
            # a match inside a longer match that restores correctly is the decoder's choice to
            # make, not an example of a genuine word
            if any(o.start <= m.start and m.end <= o.end and (o.start, o.end) != (m.start, m.end)
                   and any(labels[q].values()) for q, o in enumerate(matches)):
                continue
            for e in m.entries:
                if e.scope == "name":
                    continue
                label = labels[k][e]
                chained = e.spun in lex.rewritten(e.family)
                f = score.features(model, e, chained, m.capitalised and not m.sentence_initial)
                xs.append([*f, max(score.lm_gain(lm, words, m, a) for a in e.restored)])
                ys.append(label)
                names.append(f"{Path(path).name[:12]} {m.surface!r}->{e.restored[0]!r} {label}")
    return xs, ys, names


def restores(text: str, start: int, end: int, alt: str, edits: list[dict]) -> bool:
    """Whether replacing text[start:end] by ``alt`` yields an accepted restoration of the union of
    that span and the gold edits overlapping it (each edit replaced by one of its alternatives)."""
    lo = min([start] + [e["start"] for e in edits])
    hi = max([end] + [e["end"] for e in edits])
    candidate = normalize(text[lo:start] + alt + text[end:hi])
    options = [""]
    pos = lo
    for ed in sorted(edits, key=lambda e: e["start"]):
        alts = ed["gold"] + ([ed["spun"]] if ed["optional"] else [])
        options = [o + text[pos : ed["start"]] + a for o in options for a in alts]
        pos = ed["end"]
    accepted = {normalize(o + text[pos:hi]) for o in options}
    if candidate in accepted:
        return True
    # an edit that joins this match with a neighbouring one ("folks had been" -> "people were"):
    # the match is right when its restoration starts or ends the accepted text accordingly
    before, after = normalize(text[lo:start]), normalize(text[end:hi])
    alt_n = normalize(alt)
    return any((not before and a.startswith(alt_n + " ")) or (not after and a.endswith(" " + alt_n))
               for a in accepted)


def fit(xs: list[list[float]], ys: list[int], l2: float = 1.0, steps: int = 3000) -> list[float]:
    """Plain gradient descent on the mean log-loss with an L2 penalty (no intercept penalty)."""
    n, d = len(xs), len(xs[0])
    w = [0.0] * (d + 1)
    lr = 0.5
    for _ in range(steps):
        grad = [0.0] * (d + 1)
        for x, y in zip(xs, ys, strict=True):
            z = w[0] + sum(wi * xi for wi, xi in zip(w[1:], x, strict=True))
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            g = p - y
            grad[0] += g
            for i, xi in enumerate(x):
                grad[i + 1] += g * xi
        for i in range(d + 1):
            reg = l2 * w[i] / n if i else 0.0
            w[i] -= lr * (grad[i] / n + reg)
    return w


def main() -> None:
    args = sys.argv[1:]
    families = None
    if args and args[0].startswith("--families="):
        families = tuple(args.pop(0).split("=", 1)[1].split(","))
    xs, ys, _ = examples(args, families)
    w = fit(xs, ys)
    ln10 = math.log(10)
    labels = ["intercept", *score.FEATURES, "lm_gain (ALPHA)"]
    print(f"{len(ys)} matches, {sum(ys)} substitutions")
    for name, wi in zip(labels, w, strict=True):
        print(f"  {name:22} {wi / ln10:+.3f}   (log10 odds per unit)")
    # in-sample calibration by decile of the fitted score
    zs = sorted(((w[0] + sum(a * b for a, b in zip(w[1:], x, strict=True))) / ln10, y) for x, y in zip(xs, ys, strict=True))
    k = max(1, len(zs) // 8)
    for i in range(0, len(zs), k):
        chunk = zs[i : i + k]
        mean = sum(z for z, _ in chunk) / len(chunk)
        print(f"  score {mean:+6.2f}: predicted {1 / (1 + 10 ** -mean):.2f}, measured {sum(y for _, y in chunk) / len(chunk):.2f}")


if __name__ == "__main__":
    main()
