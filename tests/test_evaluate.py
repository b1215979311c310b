"""despin's metric agrees with the shared reference scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import despin
from despin.evaluate import score_output

from .conftest import EXAMPLE


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


def test_a_candidate_over_two_gold_edits_is_judged_by_the_scorer() -> None:
    from despin.evaluate import judge, judge_gold
    from despin.types import Flag

    spun = "They will boost cash for the school."
    # despin restores the phrase at once where the gold has two one-word edits
    edits = [{"start": 10, "end": 15, "spun": "boost", "gold": ["raise"], "optional": False},
             {"start": 16, "end": 20, "spun": "cash", "gold": ["money"], "optional": False}]

    def flag(part: str, restored: str, score: float) -> Flag:
        start = spun.index(part)
        return Flag(start, start + len(part), part, restored, (restored,), score, "spun_phrase", "t", "news")

    right = flag("boost cash", "raise money", 1.0)
    wrong = flag("boost cash", "lift money", 0.5)
    outside = flag("school", "college", 0.2)
    got = judge_gold(spun, [right, wrong, outside], edits)
    assert got == [(1.0, True), (0.5, False), (0.2, False)]
    assert judge([right], edits) == [(1.0, False)]  # the exact-span test would call it wrong


def test_a_candidate_inside_a_longer_gold_edit_is_judged_by_its_own_words() -> None:
    from despin.evaluate import judge_gold
    from despin.types import Flag

    spun = "Shops area unit such a lot of product now."
    start = spun.index("area unit such")
    edits = [{"start": start, "end": spun.index(" now"), "spun": "area unit such a lot of product",
              "gold": ["are so many products"], "optional": False}]

    def flag(part: str, restored: str) -> Flag:
        s = spun.index(part)
        return Flag(s, s + len(part), part, restored, (restored,), 0.5, "spun_phrase", "t", "wordnet")

    got = judge_gold(spun, [flag("area unit", "are"), flag("such a lot of", "so many"),
                            flag("area unit", "is"), flag("such a lot of", "so much"), flag("Shops", "Stores")],
                     edits)
    assert [ok for _, ok in got] == [True, True, False, False, False]


def test_reported_scores_are_calibrated_and_the_threshold_applies_to_them() -> None:
    from despin import score

    for raw in (-3.0, 0.0, 0.25, 2.0):
        assert abs(score.raw_threshold(score.calibrated(raw)) - raw) < 0.01
    a = despin.Restorer().analyze(EXAMPLE)
    assert a.changes
    flagged = {(f.start, f.end): f.score for f in a.flags}
    for c in a.changes:
        if c.reason in ("spun_word", "spun_phrase"):
            assert flagged[(c.start, c.end)] == c.score  # the flag reports the change's own score
        assert c.score >= despin.Restorer().config.threshold
    low = [f for f in a.flags if f.score < despin.Restorer().config.threshold]
    assert low and not {(f.start, f.end) for f in low} & {(c.start, c.end) for c in a.changes}


def test_pairs_in_carrier_sentences(tmp_path: Path) -> None:
    from despin.evaluate import eval_pairs, keyed, read_pairs

    path = tmp_path / "pairs.tsv"
    path.write_text("tortured\texpected\tsource\n"
                    "counterfeit consciousness\tartificial intelligence\tx\n"
                    "zorblat frumious\tquantum gravity\tx\n", encoding="utf-8")
    pairs = read_pairs(path)
    r = despin.Restorer()
    assert pairs == [("counterfeit consciousness", "artificial intelligence"), ("zorblat frumious", "quantum gravity")]
    misses: list[tuple[str, str, str]] = []
    assert eval_pairs(pairs, r, misses) == (2, 1, 1)  # the known phrase flagged and restored, the unknown one neither
    assert misses == [("zorblat frumious", "quantum gravity", "zorblat frumious")]  # left as written
    assert keyed(pairs, r.lexicon) == 1


def test_denying_a_source_measures_its_phrases_as_if_never_imported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from despin.cli import main
    from despin.evaluate import keys_of_sources

    lexicon = despin.Restorer().lexicon
    pps = keys_of_sources(lexicon, {"pps-20260306"})
    assert "loss characteristic" in pps and "counterfeit consciousness" not in pps  # the latter is own
    assert all(any(e.source == "pps-20260306" for e in lexicon.entries[k]) for k in list(pps)[:200])
    path = tmp_path / "pairs.tsv"
    path.write_text("tortured\texpected\n"
                    "loss characteristic\tloss function\n"
                    "counterfeit consciousness\tartificial intelligence\n", encoding="utf-8")
    assert main(["eval", "--pairs", str(path)]) == 0
    assert "2 pairs, flagged 1.000, restored exactly 1.000 (2 of" in capsys.readouterr().out
    assert main(["eval", "--pairs", str(path), "--deny-source", "pps-20260306"]) == 0
    out = capsys.readouterr().out
    assert f"the {len(pps)} lexicon keys of source pps-20260306" in out
    assert "2 pairs, flagged 0.500, restored exactly 0.500 (1 of" in out  # only the own row is left
    # a misspelt tag would deny nothing and measure the whole lexicon: refused
    assert main(["eval", "--pairs", str(path), "--deny-source", "pps-2026"]) == 2
    assert "no lexicon row has source pps-2026" in capsys.readouterr().err
