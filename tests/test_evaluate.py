"""despin's metric agrees with the shared reference scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import despin
from despin.evaluate import score_output


def _reference(shared: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_restoration", shared / "tools" / "score_restoration.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.score


def test_metric_matches_reference_scorer(shared: Path) -> None:
    ref = _reference(shared)
    golds = sorted((shared / "examples" / "wild-dev").glob("*.gold.json"))
    golds.append(shared / "examples" / "seed" / "putin-kim.first-half.gold.json")
    for g in golds:
        gold = json.loads(g.read_text(encoding="utf-8"))
        spun = gold["spun"].rstrip("\n")
        for out in (despin.restore(spun), gold.get("orig", spun).rstrip("\n"), spun):
            mine = score_output(spun, out, gold["edits"])
            theirs, _ = ref(spun, out, gold["edits"])
            assert (mine.correct, mine.required, mine.changes, mine.good_changes) == (
                theirs["correct"], theirs["required"], theirs["changes"], theirs["good_changes"]), g.name


def test_perfect_output_scores_full_recall() -> None:
    spun = "He mentioned it."
    edits = [{"start": 3, "end": 12, "spun": "mentioned", "gold": ["said"], "optional": False}]
    s = score_output(spun, "He said it.", edits)
    assert (s.recall, s.precision) == (1.0, 1.0)
    s = score_output(spun, "He told it.", edits)
    assert (s.recall, s.precision) == (0.0, 0.0)
    s = score_output(spun, spun, edits)
    assert (s.recall, s.precision, s.changes) == (0.0, 1.0, 0)
