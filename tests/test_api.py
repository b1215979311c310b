"""The public API: restore, restore_and_explain, scan, apply_changes, Restorer."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import despin
from despin import ChangeMismatchError, LexiconError, Restorer, apply_changes, score
from despin.lexicon import shipped_dir
from despin.score import REASONS
from despin.tokens import normalize

from .conftest import DATA, ROOT

EXAMPLE = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
CLEAN_CASES = [
    line for line in (DATA / "clean.txt").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
]


def _user_lexicon(tmp_path: Path) -> str:
    p = tmp_path / "user.tsv"
    p.write_text(
        "# despin lexicon\n# format: 1\n# family: user\n# source own: tests; CC0-1.0\n"
        "spun\trestored\tpos\tweight\tscope\tsource\tnote\n"
        "mentioned\tsaid\nintently\tclosely\ncollectively\ttogether\nworldwide\tinternational\n"
        "public sale\tauction\nofficers\tofficials\nbrand new\tnew\n",
        encoding="utf-8",
    )
    return str(p)


def test_empty_text() -> None:
    assert despin.restore("") == ""
    assert despin.restore_and_explain("") == ("", [])
    assert despin.scan("").flags == ()


@pytest.mark.parametrize("bad", [b"mentioned", bytearray(b"x"), None, 42, ["text"]])
def test_non_str_input_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError) as err:
        despin.restore(bad)  # type: ignore[arg-type]
    assert "str" in str(err.value)
    if isinstance(bad, (bytes, bytearray)):
        assert "decode" in str(err.value)


@pytest.mark.parametrize(("options", "error"), [
    ({"threshold": float("nan")}, ValueError),  # would apply every change
    ({"threshold": float("inf")}, ValueError),
    ({"threshold": "0.2"}, TypeError),
    ({"threshold": None}, TypeError),
    ({"threshold": True}, TypeError),
    ({"threshold": 10**400}, ValueError),  # too large for a float: was an OverflowError
    ({"max_chars": 0}, ValueError),
    ({"model": "bogus"}, ValueError),
    ({"families": b"news"}, TypeError),  # was read as the families 110, 101, ...
    ({"families": ["news", 3]}, TypeError),
    ({"families": ["nope"]}, LexiconError),  # at once, not at the first document
    ({"lexicons": b"x.tsv"}, TypeError),
    ({"keep": [None]}, TypeError),
    ({"restore_names": "no"}, TypeError),  # a non-empty string was taken for True
    ({"fix_articles": 1}, TypeError),
])
def test_unusable_option_values_are_clear_errors(options: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(options))):
        Restorer(**options)  # at once, not at the first document


def test_one_family_or_lexicon_may_be_given_alone(tmp_path: Path) -> None:
    assert Restorer(families="news").config.families == ("news",)
    assert Restorer(families=["news", "tortured"]).config.families == ("news", "tortured")
    lex = tmp_path / "mine.tsv"
    lex.write_text("# despin lexicon\n# format: 1\n# family: mine\n# source own: tests; CC0-1.0\n"
                   "spun\trestored\tpos\tweight\tscope\tsource\tnote\nharbour wall\tsea wall\t\t5\n")
    assert Restorer(lexicons=lex).config.lexicons == (str(lex),)
    assert despin.restore("x", lexicons=str(lex)) == "x"


def test_a_users_keep_list_protects_its_phrases(tmp_path: Path) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("# this corpus's own names\nMetropolis Council\n", encoding="utf-8")
    text = ("The metropolis council mentioned on Tuesday that the 12 months had been tough for the "
            "international locations involved.")
    plain = despin.restore(text)
    assert "city council" in plain and "countries" in plain
    kept = despin.restore(text, keep=str(keep))
    assert "metropolis council" in kept and "countries" in kept  # only the kept phrase stays
    assert not any("metropolis" in f.spun for f in despin.scan(text, keep=keep).flags)
    assert despin.restore(text) == plain  # the shared lexicon is not changed for other restorers
    r = Restorer(keep=[keep])
    assert pickle.loads(pickle.dumps(r)).restore(text) == kept  # workers load it too
    with pytest.raises(despin.LexiconError, match="keep-list"):
        Restorer(keep=str(tmp_path / "missing.txt")).restore(text)


def test_a_users_keep_list_never_reaches_the_disk_cache(tmp_path: Path) -> None:
    """The first process of a lexicon version fills the cache; a user's keep-list, loaded first,
    must not be saved into it."""
    keep = tmp_path / "keep.txt"
    keep.write_text("metropolis council\n", encoding="utf-8")
    text = "The metropolis council mentioned on Tuesday that the 12 months had been tough."
    env = {**os.environ, "DESPIN_CACHE_DIR": str(tmp_path / "cache")}
    code = "import sys, despin; print(despin.restore(sys.argv[1], keep=sys.argv[2:]))"
    run = [sys.executable, "-c", code, text]
    first = subprocess.run([*run, str(keep)], env=env, capture_output=True, text=True, check=True).stdout
    assert "metropolis council" in first
    later = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    assert "city council" in later


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(TypeError, match="unknown option"):
        despin.restore("x", thresold=1)


def test_example_is_restored_and_explained() -> None:
    restored, changes = despin.restore_and_explain(EXAMPLE)
    assert restored != EXAMPLE and changes
    assert apply_changes(EXAMPLE, changes) == restored == despin.restore(EXAMPLE)
    for c in changes:
        assert EXAMPLE[c.start : c.end] == c.spun
        assert c.reason in REASONS
        assert isinstance(c.score, float) and c.score >= Restorer().config.threshold
        if c.source.startswith("rule:"):
            continue
        file, line = c.source.rsplit(":", 1)
        row = (shipped_dir() / Path(file).name).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert row.split("\t")[0] == normalize(c.spun), (c, row)


def test_changes_are_sorted_and_disjoint() -> None:
    _, changes = despin.restore_and_explain(EXAMPLE)
    for a, b in zip(changes, changes[1:], strict=False):
        assert a.end <= b.start


def test_restore_is_idempotent() -> None:
    once = despin.restore(EXAMPLE)
    assert despin.restore(once) == once


@pytest.mark.parametrize("text", CLEAN_CASES)
def test_clean_text_is_left_alone(text: str) -> None:
    assert despin.restore(text) == text


def test_clean_paragraph_in_bulk_is_left_alone() -> None:
    text = "\n\n".join(CLEAN_CASES)
    assert despin.restore(text) == text


def test_apply_changes_refuses_stale_changes() -> None:
    _, changes = despin.restore_and_explain(EXAMPLE)
    with pytest.raises(ChangeMismatchError):
        apply_changes("x" + EXAMPLE, changes)
    with pytest.raises(ChangeMismatchError, match="overlaps"):
        apply_changes(EXAMPLE, [changes[0], changes[0]])


def test_apply_changes_refuses_two_insertions_at_one_offset() -> None:
    insert = {"start": 0, "end": 0, "spun": "", "restored": "X"}
    with pytest.raises(ChangeMismatchError, match="overlaps"):
        apply_changes("ab", [insert, insert])  # their order is undefined
    assert apply_changes("ab", [insert, {"start": 0, "end": 1, "spun": "a", "restored": "Y"}]) == "XYb"


def test_the_configuration_is_fixed() -> None:
    r = Restorer(threshold=1.0)
    with pytest.raises(AttributeError):
        r.config = r.config._replace(threshold=5.0)  # type: ignore[misc]
    assert r.config.threshold == 1.0


def test_results_are_plain_str_for_a_str_subclass() -> None:
    class Text(str):
        pass

    for text in (Text("Nothing here."), Text(EXAMPLE)):
        assert type(despin.restore(text)) is str
        assert type(despin.restore_and_explain(text)[0]) is str


def test_apply_changes_takes_dicts() -> None:
    restored, changes = despin.restore_and_explain(EXAMPLE)
    assert apply_changes(EXAMPLE, [c.to_dict() for c in changes]) == restored
    # an edit written by hand needs only its span and words
    assert apply_changes("he mentioned it", [{"start": 3, "end": 12, "spun": "mentioned", "restored": "said"}]) \
        == "he said it"
    with pytest.raises(ValueError, match="needs restored"):
        apply_changes("he mentioned it", [{"start": 3, "end": 12, "spun": "mentioned"}])


def test_user_lexicon_joint_decoding_case_and_articles(tmp_path: Path) -> None:
    lex = _user_lexicon(tmp_path)
    text = ("Officers mentioned they would work intently collectively towards worldwide rules. "
            "The brand new plan was mentioned at a public sale, he mentioned.")
    out = despin.restore(text, families=(), lexicons=(lex,))
    assert out.startswith("Officials said they would work closely together towards international rules.")
    assert "at an auction, he said." in out


def test_protected_text_is_never_changed(tmp_path: Path) -> None:
    lex = _user_lexicon(tmp_path)
    text = ("Officers mentioned they would work intently collectively towards worldwide rules, see "
            "https://example.com/mentioned/intently or mentioned@example.org, he mentioned.")
    out = despin.restore(text, families=(), lexicons=(lex,))
    assert "https://example.com/mentioned/intently" in out and "mentioned@example.org" in out
    assert out.endswith("he said.")


def test_scan_reports_without_changing() -> None:
    result = despin.scan(EXAMPLE)
    assert result.report.spin > 0.5 and result.report.family == "news"
    assert result.flags and all(EXAMPLE[f.start : f.end] == f.spun for f in result.flags)
    assert all(f.restored in f.candidates or f.restored.lower() in f.candidates for f in result.flags)


def test_restorer_pickles_as_its_config() -> None:
    r = Restorer(threshold=1.5, families=("news",))
    data = pickle.dumps(r)
    assert len(data) < 1000
    r2 = pickle.loads(data)
    assert r2.config == r.config
    assert r2.restore(EXAMPLE) == r.restore(EXAMPLE)


def test_threshold_trades_recall_for_precision() -> None:
    loose = despin.restore_and_explain(EXAMPLE, threshold=-1.0)[1]
    strict = despin.restore_and_explain(EXAMPLE, threshold=3.0)[1]
    assert len(strict) < len(loose)


def test_unigram_fallback_model_works() -> None:
    out = despin.restore(EXAMPLE, model="unigram")
    assert isinstance(out, str)


def test_large_document_is_processed() -> None:
    big = (EXAMPLE + "\n\n") * 200  # about 200 kB
    out, changes = despin.restore_and_explain(big)
    assert apply_changes(big, changes) == out


@pytest.mark.parametrize(
    "foreign",
    [
        "Die Regierung hat am Dienstag mitgeteilt, dass die Armee im Krieg war und die Sanktionen bleiben.",
        "Le gouvernement a annoncé mardi que la guerre était terminée et que les pays voisins allaient coopérer.",
        "El gobierno anunció el martes que la guerra había terminado y que los países vecinos cooperarían.",
        "De regering heeft dinsdag gezegd dat de oorlog voorbij is en dat de buurlanden zullen samenwerken.",
        "O governo anunciou na terça-feira que a guerra tinha acabado e que os países vizinhos iriam cooperar.",
    ],
)
def test_other_languages_are_left_alone(foreign: str) -> None:
    assert despin.restore(foreign) == foreign
    # also as a paragraph inside a spun English document
    doc = EXAMPLE + "\n" + foreign + " " + foreign + "\n"
    assert foreign in despin.restore(doc)


def test_comma_adverb_cue(tmp_path: Path) -> None:
    lex = tmp_path / "u.tsv"
    lex.write_text(
        "# despin lexicon\n# format: 1\n# family: user\n# source own: tests; CC0-1.0\n"
        "spun\trestored\npower\tenergy\nhowever\tbut\nmentioned\tsaid\nintently\tclosely\n", encoding="utf-8")
    base = "Officials mentioned they would work intently on it, however the plan was new. "
    r = despin.Restorer(families=(), lexicons=(str(lex),))
    spun_use = r.analyze(base * 3).flags
    genuine_use = r.analyze(base.replace("however the", "however, the") * 3).flags
    s1 = max(f.score for f in spun_use if f.spun == "however")
    s2 = max(f.score for f in genuine_use if f.spun == "however")
    assert s1 > s2


# -- the acronym cue ------------------------------------------------------------------------------


@pytest.mark.parametrize(("acronym", "phrase", "fits"), [
    ("R&D", "research and development", True),
    ("G8", "group of eight", True),
    ("GPs", "general practitioners", True),
    ("gps", "general practitioners", True),
    ("ILO", "international labour office", True),
    ("EU", "european union", True),
    ("EU", "european association", False),
    ("IT", "data innovation", False),
    ("RA", "arthritis", False),
    ("AB", "a", False),
])
def test_fits_acronym(acronym: str, phrase: str, fits: bool) -> None:
    assert score.fits_acronym(acronym, phrase) is fits


def test_an_acronym_restores_its_phrase_in_any_document() -> None:
    """One tortured phrase in an otherwise clean sentence: the document gate stays shut, but the
    acronym after the phrase spells the original."""
    text = "Recent studies have shown that data innovation (IT) plays an important role in research."
    a = Restorer().analyze(text)
    assert [(c.spun, c.restored, c.reason) for c in a.changes] == [
        ("data innovation", "information technology", "acronym_fit")]
    assert a.changes[0].source.startswith("tortured.tsv:")
    assert [f.spun for f in a.flags] == ["data innovation"]
    # without the acronym nothing is changed: "data innovation" is also ordinary English
    assert Restorer().restore(text.replace(" (IT)", "")) == text.replace(" (IT)", "")


@pytest.mark.parametrize("text", [
    "These conditions include rheumatoid arthritis (RA) and multiple sclerosis (MS).",
    "The European Association (EA) met in Paris.",
    "We used data innovation (DI) methods.",
    "See the list (a) and (b) (ii) (NB).",
    "(IT)",
    "x (IT)",
])
def test_acronyms_that_the_written_words_spell_change_nothing(text: str) -> None:
    assert Restorer().restore(text) == text


def test_a_restored_number_word_starting_a_sentence_is_capitalised() -> None:
    lex = ("# despin lexicon\n# format: 1\n# family: numtest\n# source own: tests; CC0-1.0\n"
           "spun\trestored\tpos\tweight\tscope\tsource\tnote\n5\tfive\tNUM\t5\nmentioned\tsaid\tVERB\t5\n"
           "metropolis\tcity\tNOUN\t5\n")
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
        f.write(lex)
    r = Restorer(families=(), lexicons=(f.name,), threshold=-5.0)
    text = "He mentioned it. 5 others mentioned the metropolis too, and 5 more mentioned nothing."
    changed = {c.start: c.restored for c in r.analyze(text).changes}
    assert changed[text.index("5 others")] == "Five"
    assert changed[text.index("5 more")] == "five"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009"])
def test_a_restoration_keeps_the_texts_own_spaces(space: str) -> None:
    """No-break and thin spaces (HTML's &nbsp; in scraped text) stay where they were, inside
    restored phrases too."""
    example = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
    spun = example.replace(" ", space)
    out = despin.restore(spun)
    assert out != spun and " " not in out
    assert out.replace(space, " ") == despin.restore(example)


def test_analysis_without_flags_has_the_same_changes(shared: Path) -> None:
    """restore() asks for no flags; its changes and report must be those of a full analysis."""
    r = Restorer()
    texts = [p.read_text(encoding="utf-8") for p in sorted((shared / "examples" / "wild-dev").glob("*.spun.txt"))]
    texts.append("We study data innovation (IT) here.")
    for text in texts:
        full, lean = r.analyze(text), r.analyze(text, flags=False)
        assert full.flags and lean.flags == ()
        assert (lean.report, lean.changes) == (full.report, full.changes)
        assert r.restore_and_explain(text)[1] == list(full.changes)
