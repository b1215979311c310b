"""The scorer's view of the text: LM words, contexts and gains."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from despin import Restorer, score
from despin.context import BOS, EOS, load_model
from despin.lexicon import load
from despin.match import Words, find

from .conftest import ORIG


def test_a_clitic_is_joined_to_its_word_for_the_lm() -> None:
    w = Words("The chief’s car. It’s late, isn't it")
    assert score.lm_view(w) == ["the", "chief's", None, "car", "it's", None, "late", "isn't", "it"]
    assert score.history(w, 3) == ("the", "chief's")  # the clitic is no word of its own
    assert score.following(w, 1) == ["chief's", "car"]
    assert score.following(w, 3) == ["car", EOS]
    assert score.history(w, 6) == (BOS, "it's")


def test_a_contraction_does_not_look_spun_to_the_lm() -> None:
    """"it’s" against "it is": scored as the LM's word "it's", not as "it" and a near-unknown
    "'s", which gave "it is" a gain of over 3 log10 units (and made every contraction a change)."""
    text = "We tried the new system, and it’s working well for everyone."
    words = Words(text)
    lexicon = load(("news",), ())
    m = next(m for m in find(words, lexicon, lexicon.index("news")) if m.surface == "it’s")
    lm = load_model()
    gain = score.lm_gain(lm, words, m, "it is")
    h2, h1 = score.history(words, m.i)
    right = score.following(words, m.j)
    split = score.seq_logprob(lm, h2, h1, ["it", "is", *right]) - score.seq_logprob(lm, h2, h1, ["it", "'s", *right])
    assert split > 3.0 and gain < 2.0, (split, gain)


def test_a_restoration_before_a_clitic_carries_it() -> None:
    assert score.out_words("leader", clitic=True) == ["leader's"]
    assert score.out_words("prime minister") == ["prime", "minister"]


def test_the_minimal_edit_gets_a_larger_share() -> None:
    from despin.types import Entry

    e = Entry("cardiovascular illness", ("heart disease", "cardiovascular disease"), "tortured", "own", "t.tsv", 1)
    first, second = score.alt_share(e, 0), score.alt_share(e, 1)
    assert abs(first + second - 1.0) < 1e-9
    plain = Entry("cardiovascular illness", ("heart disease", "coronary disease"), "tortured", "own", "t.tsv", 1)
    assert second > score.alt_share(plain, 1)  # keeping "cardiovascular" raises the second's share
    one_word = Entry("mentioned", ("said", "stated"), "news", "own", "t.tsv", 1)
    assert score.alt_share(one_word, 0) == 1 / (1 + 2.0 ** -score.RANK_EXPONENT)  # no overlap for one-word keys


def test_a_plural_spun_phrase_prefers_the_plural_original() -> None:
    from despin.types import Entry

    e = Entry("bogus positives", ("false positive", "false positives", "false alarm"), "tortured", "own", "t.tsv", 1)
    assert score.alt_share(e, 1) > score.alt_share(e, 0)  # listed second, but it agrees in number
    e = Entry("native optima", ("local optimum", "local optima"), "tortured", "own", "t.tsv", 1)
    assert score.alt_share(e, 1) > score.alt_share(e, 0)
    e = Entry("bogus positive", ("false positive", "false positives"), "tortured", "own", "t.tsv", 1)
    assert score.alt_share(e, 0) > score.alt_share(e, 1) * 8  # a singular keeps its singular first
    # alternatives that are not one phrase in two numbers are left in the curator's order
    e = Entry("bos taurus", ("cattle", "oxen"), "wordnet", "wn", "t.tsv", 1)
    assert score.alt_share(e, 0) > score.alt_share(e, 1) * 7


def test_a_number_is_not_a_name() -> None:
    """Capitalised spans mid-sentence are held to a higher bar (names); a digit has no capital
    and must not be taken for one ("the 4 defendants" was left unrestored)."""
    lexicon = load(("news",), ())
    words = Words("He said the 4 defendants and the Four Seasons hotel were named.")
    found = {m.surface: m for m in find(words, lexicon, lexicon.index("news"))}
    assert found["4"].capitalised is False
    assert all(m.capitalised for s, m in found.items() if s[:1].isupper() and " " not in s)


def test_a_figure_opening_a_headline_is_left_alone() -> None:
    words = Words("5 issues it is advisable to know about the vote\nHe said 5 others had been taken away.")
    lexicon = load(("news",), ())
    fives = [m for m in find(words, lexicon, lexicon.index("news")) if m.surface == "5"]
    assert len(fives) == 2
    assert score.local_cue(words, fives[0]) == -score.HEADLINE_NUMBER_CUE  # a headline
    assert score.local_cue(words, fives[1]) == 0.0  # running text
    one_line = Words("x " * 300 + "\n5 things")
    m = next(m for m in find(one_line, lexicon, lexicon.index("news")) if m.surface == "5")
    assert score.local_cue(one_line, m) == -score.HEADLINE_NUMBER_CUE


# A page about quoting, written for these tests: "quotation mark" is a heavy key of the wordnet
# family (its first-sense lemma for *quote*), and a genuine term here. (The tests used "character
# set" until clean text demoted it: scripts/gen_wordnet_lexicon.py, CLEAN_MIN_DOCS.)
_ENCODINGS = (
    "Every field that holds a comma is wrapped in a quotation mark at each end. When a field holds a quotation "
    "mark itself, the writer doubles it, and a reader that meets a single quotation mark inside a field "
    "reports the line as broken. Converting a file to another dialect is safe only when the target "
    "uses the same quotation mark or one that never occurs in the data; the tool refuses otherwise and "
    "names the first line that cannot be converted. Mail headers follow their own rules for the "
    "quotation mark, so a message can mix two of them. The library keeps one table per dialect and "
    "loads it on first use, with the quotation mark it expects."
)
_MANUAL = (
    " Spelling follows American English throughout the manual, and the examples use plain ASCII wherever "
    "they can, so that they can be copied into a terminal without surprises. The sections that follow "
    "describe the options one by one: how to name the input and the output, how to choose what happens to "
    "a byte that cannot be read, how to keep the original file as a backup, and how to convert a whole "
    "folder in one run. Each option has a short and a long form, and the long forms can be abbreviated as "
    "long as the abbreviation is not ambiguous. The last section lists the exit codes and the messages the "
    "tool prints, with what each of them means and what to do about it. A table at the end of the manual "
    "lists every quotation mark the tool knows, with its aliases."
)


def test_one_term_repeated_in_a_short_text_is_not_a_spinner(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Restorer()
    assert r.restore(_ENCODINGS) == _ENCODINGS
    one_term = {f: g._replace(min_terms=1) for f, g in score.FAMILY_GATES.items()}
    monkeypatch.setattr(score, "FAMILY_GATES", one_term)  # the gate would open on that one key
    assert r.restore(_ENCODINGS) != _ENCODINGS


def test_a_repeated_term_counts_as_evidence_only_a_few_times(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _ENCODINGS + _MANUAL  # two keys: "quotation mark" 7 times, "american english" once
    r = Restorer()
    assert r.restore(text) == text
    # every repeat counted (and two terms enough, as the wordnet gate had it): the gate would open
    uncapped = {f: g._replace(max_repeats=1000, min_terms=min(g.min_terms, 2)) for f, g in score.FAMILY_GATES.items()}
    monkeypatch.setattr(score, "FAMILY_GATES", uncapped)
    assert r.restore(text) != text


# Written for these tests after a numerical library's docstring that lost 7 words to the wordnet
# gate: two genuine terms that are heavy wordnet keys ("partial derivative", the first-sense lemma
# of *partial*; "mean value", of *mean*), four times each in 127 words. (The docstring's own terms,
# "complex number" and "equal to", were later demoted by clean text: gen_wordnet_lexicon.py.)
_RANGES = (
    "The solver estimates each partial derivative by a central difference. When a partial derivative "
    "is needed at the edge of the grid, it falls back to a one-sided difference, and the step is halved "
    "until two estimates agree. The mean value of the function over each cell is kept beside it, since "
    "the flux through a face depends on the mean value on both sides. A partial derivative that cannot "
    "be estimated, because the cell is empty, is set to zero and reported. At the end of each step the "
    "mean value of every cell is compared with the last one, and the solver stops when no partial "
    "derivative has changed by more than the tolerance and the mean value of the whole grid is steady."
)


def test_two_genuine_terms_repeated_do_not_open_the_wordnet_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Restorer().restore(_RANGES) == _RANGES
    two_terms = dict(score.FAMILY_GATES, wordnet=score.FAMILY_GATES["wordnet"]._replace(min_terms=2))
    monkeypatch.setattr(score, "FAMILY_GATES", two_terms)  # two distinct terms would open it
    assert "estimates each partial by" in Restorer().restore(_RANGES)


def test_a_term_and_its_plural_are_one_term_of_evidence() -> None:
    """"edge value" is a genuine term of graph code and the tortured form of *threshold value*: in
    the singular and the plural it had counted as two distinct tortured terms (spin 0.58 here). A
    verb's regular forms are one term too."""
    graph = ("Each edge of the graph carries a weight, and the edge values are read from the third column "
             "of the input file. When an edge value is missing, the loader uses the default weight of one. "
             "The shortest path routine adds the edge values along each path and keeps the smallest sum; a "
             "negative edge value makes it raise an error, since the routine cannot handle negative cycles. "
             "To change the weights after loading, call the update method with a mapping from each edge to "
             "its new value.")
    text = graph + _MANUAL.replace("quotation mark", "dialect") + " " + _ENCODINGS.replace("quotation mark", "dialect")
    same = [("the edge values", "edge value"), ("studies", "study"), ("boxes", "box"), ("incremented", "increment"),
            ("increased", "increase"), ("a query", "queries")]
    assert all(score._term(a) == score._term(b) for a, b in same)
    assert score._term("edge value") != score._term("edge") and score._term("data") != score._term("date")
    report = Restorer().scan(text).report
    assert report.spin < 0.5 and report.family == ""


def test_overlapping_keys_over_the_same_words_are_one_hit() -> None:
    """"a portion of" and "a portion of the" are both paraphrase keys: read over the same words they
    had counted as two strong hits of two terms, enough to open the gate of a short clean text."""
    text = ("When the reader is given a damaged archive, it copies a portion of the contents of the archive "
            "to the output file and prints a warning that names the first entry it could not read.")
    r = Restorer()
    assert r.restore(text) == text and r.scan(text).report.spin < 0.5
    lexicon = r.lexicon
    keys = {m.surface.lower() for m in find(Words(text), lexicon, lexicon.index("paraphrase"))}
    assert {"a portion of", "a portion of the"} <= keys  # both rows still match; they are one hit


def test_two_spun_words_in_one_sentence_are_still_restored() -> None:
    assert Restorer().restore("The metropolis council mentioned on Tuesday.") == "The city council said on Tuesday."


def test_a_phrase_key_cut_by_a_hyphen_is_no_match() -> None:
    """"installed system" is a tortured key; in "installed system-wide" its last word is part of a
    compound (found on unseen clean text: a Debian README). Whole, the phrase still matches."""
    lexicon = load(("tortured",), ())

    def spans(text: str) -> set[str]:
        return {m.surface.lower() for m in find(Words(text), lexicon, lexicon.index("tortured"))}

    assert "installed system" not in spans("If the service is installed system-wide, enable it.")
    assert "installed system" not in spans("A well-installed system-wide service.")
    assert "installed system" in spans("The installed system is small.")


def test_a_tortured_key_counts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tortured gate needs no LM gain: a term that is also a key, repeated, must not open it."""
    lexicon = tmp_path / "tortured.tsv"
    lexicon.write_text("# format: 1\n# family: tortured\n# source own: tests; CC0-1.0\nspun\trestored\tpos\tweight\n"
                       "target capacity\tobjective function\t\t5\n", encoding="utf-8")
    text = (_MANUAL + " The fleet keeps its target capacity until the request ends. Raising the target "
            "capacity adds instances; lowering the target capacity stops the newest ones first.")
    r = Restorer(families=(), lexicons=(str(lexicon),))
    assert r.scan(text).report.spin < 0.5
    tortured = score.FAMILY_GATES["tortured"]._replace(max_repeats=score.DEFAULT_GATE.max_repeats)
    monkeypatch.setattr(score, "FAMILY_GATES", {**score.FAMILY_GATES, "tortured": tortured})  # 3 hits: open
    assert r.scan(text).report.spin > 0.5


def test_a_term_with_and_without_its_article_is_one_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """"query", "the query" and "a query" are three news keys but one term: a text about queries
    is not spun (found on a protocol description in the Debian documentation)."""
    text = ("The server reads the query and answers it. If a query arrives while another query is running, "
            "the query waits. Each query has a number, and the log keeps every query with its answer.")
    r = Restorer()
    assert r.restore(text) == text
    monkeypatch.setattr(score, "_term", lambda key: key)  # three keys: the gate would open
    assert r.restore(text) != text


_PAPER_SENTENCES = (
    "Recent work applies counterfeit consciousness to the planning of coastal repairs.",
    "The models were trained with profound learning on ten years of storm records.",
    "An irregular woodland classifier ranked the walls by the risk of failure.",
)


def _long_report(sentences: tuple[str, ...]) -> str:
    """About 1,500 words of clean news (the bundled example's original, repeated) with the given
    sentences set apart as paragraphs through it."""
    paragraphs = [ORIG.strip()] * 9
    for k, s in enumerate(sentences):
        paragraphs.insert(2 + 3 * k, s)
    return "\n\n".join(paragraphs)


def test_several_tortured_phrases_in_a_long_document_are_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Restorer()
    text = _long_report(_PAPER_SENTENCES)
    out = r.restore(text)
    restored = (
        "Recent work applies artificial intelligence to the planning of coastal repairs.",
        "The models were trained with deep learning on ten years of storm records.",
        "A random forest classifier ranked the walls by the risk of failure.",  # a/an agrees
    )
    assert out == _long_report(restored)
    # one tortured phrase in a long document is left to the density, which stays low
    one = _long_report(_PAPER_SENTENCES[:1])
    assert r.restore(one) == one
    # without the count evidence the density alone (3 hits in 1,500 words) is too weak for all three
    no_count = {f: g._replace(count_centre=float("inf")) for f, g in score.FAMILY_GATES.items()}
    monkeypatch.setattr(score, "FAMILY_GATES", no_count)
    assert r.restore(text) != _long_report(restored)


def test_a_tortured_phrase_alone_in_a_long_document_is_flagged_not_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fingerprint family's heavy hit is flagged whatever the gate says; only flagged."""
    r = Restorer()
    paragraphs = [ORIG.strip()] * 30  # about 4,900 words: the gate's density stays far too low
    clean = "\n\n".join(paragraphs)
    text = "\n\n".join([*paragraphs[:4], _PAPER_SENTENCES[0], *paragraphs[4:]])
    assert r.restore(text) == text and r.scan(clean).flags == ()
    flags = r.scan(text).flags
    assert [(f.spun, f.restored, f.reason, f.family) for f in flags] == [
        ("counterfeit consciousness", "artificial intelligence", "tortured_phrase", "tortured")]
    assert flags[0].score < r.config.threshold and flags[0].source.startswith("tortured.tsv:")
    no_fingerprint = {f: g._replace(fingerprint=False) for f, g in score.FAMILY_GATES.items()}
    monkeypatch.setattr(score, "FAMILY_GATES", no_fingerprint)
    assert r.scan(text).flags == ()


@pytest.mark.parametrize(("text", "want"), [
    # a short technical sentence has few function words (1 of 7 here): still English
    ("The irregular woodland model outperformed profound learning.",
     "The random forest model outperformed deep learning."),
    # a short text with none is not taken for English
    ("Irregular woodland, profound learning: Modelle, Daten, Ergebnisse.", None),
])
def test_a_short_text_needs_one_english_function_word(text: str, want: str | None) -> None:
    assert score.english_share(text.split()) < score.MIN_ENGLISH_SHARE
    assert Restorer().restore(text) == (want or text)


def test_a_confident_longer_reading_rejects_the_one_inside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # "k-implies" → *k-means* (a light row) sits inside "k-implies grouping" → *k-means clustering*
    # (a heavy one). The LM knows neither term and prefers "grouping" to "clustering", so without
    # the rival term the decoder half-restored the term as "k-means grouping".
    text = "We compared irregular woodland models with k-implies grouping on the patient records."
    want = "We compared random forest models with k-means clustering on the patient records."
    assert Restorer().restore(text) == want
    from despin import decode

    monkeypatch.setattr(decode, "RIVAL_KEEP_LOG", -math.inf)  # the rule switched off
    assert Restorer().restore(text) != want


# Written for these tests in the WordNet spinner's manner: its hallmarks ("area unit", "Associate in
# Nursing", "we have a tendency to") open the gate, and "planned" (its word for *proposed*) recurs.
_PROPOSALS = (
    "Banks area unit allowed to supply Associate in Nursing extension, and we have a tendency to explain "
    "how it works. The planned changes start in May. The bank planned a new scheme. Critics say the "
    "planned rules are weak."
)


def test_a_recurring_spun_form_is_restored_on_the_evidence_of_all_its_occurrences(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pooled = Restorer().restore(_PROPOSALS)
    assert pooled.count("proposed") == 3 and "planned" not in pooled
    monkeypatch.setattr(score, "repeat_evidence", lambda *args, **kwargs: {})
    alone = Restorer().restore(_PROPOSALS)  # each occurrence on its own evidence stays under the threshold
    assert alone.count("planned") == 3
    assert alone.replace("planned", "proposed") == pooled


class _Gains:
    def __init__(self, by_start: dict[int, float], by_alt: dict[str, float] | None = None) -> None:
        self.by_start, self.by_alt = by_start, by_alt or {}

    def best(self, m: object, family: str | None = None) -> float:
        return self.by_start[m.start]  # type: ignore[attr-defined]

    def of(self, m: object, alts: list[str]) -> list[float]:
        return [self.by_alt[a] for a in alts]


def test_the_other_occurrences_give_their_own_context_evidence_only() -> None:
    lexicon = load(("news",), ())
    text = "The metropolis grew. The metropolis shrank. The metropolis council met. A hearth broke out."
    found = find(Words(text), lexicon, lexicon.index("news"))
    matches = [m for m in found if m.surface.lower() in ("metropolis", "hearth")]
    starts = [m.start for m in matches if m.surface == "metropolis"]
    assert len(starts) == 3
    entry = next(e for e in matches[0].entries if e.family == "news")
    bias = score._freq_ratio("trigram", entry)
    q = score.REPEAT_Q

    def term(gain: float) -> float:
        return math.log10(q * 10 ** (score.ALPHA * (gain - bias)) + 1 - q)

    gains = {starts[0]: bias + 3.0, starts[1]: bias, starts[2]: bias - 20.0}
    gains.update({m.start: 5.0 for m in matches if m.surface == "hearth"})
    ev = score.repeat_evidence(matches, score.recurrences(matches), _Gains(gains), "trigram", ["news"])
    k = {m.start: i for i, m in enumerate(matches)}
    assert k[matches[-1].start] not in ev  # "hearth" occurs once: no evidence from elsewhere
    # a gain no larger than the LM's out-of-context preference for the commoner word says nothing
    assert term(bias) == pytest.approx(0.0)
    assert ev[k[starts[0]]]["news"] == pytest.approx(term(bias) + term(bias - 20.0))
    assert ev[k[starts[1]]]["news"] == pytest.approx(term(bias + 3.0) + term(bias - 20.0))
    # a clear negative reading weighs at most log10(1 - q): it cannot veto the others
    assert term(bias - 20.0) == pytest.approx(math.log10(1 - q), abs=1e-6)


def test_pooling_leaves_a_prior_alone_without_evidence_and_moves_it_with_evidence() -> None:
    for p in (0.001, 0.2, 0.6):
        assert score.pooled_prior(p, 0.0) == pytest.approx(p)
        assert score.pooled_prior(p, 1.0) > p > score.pooled_prior(p, -1.0)
        assert score.pooled_prior(p, 50.0) <= score.REPEAT_Q  # each occurrence may still be genuine


def test_the_other_occurrences_weigh_in_the_choice_among_alternatives() -> None:
    lexicon = load(("news",), ())
    text = "The council was told the choices were made. Later, the choices were announced."
    found = [m for m in find(Words(text), lexicon, lexicon.index("news")) if m.surface == "choices"]
    entry = next(e for e in found[0].entries if e.family == "news")
    alts = entry.restored[:2]
    assert len(alts) == 2
    shares = [score.alt_share(entry, r) for r in range(2)]
    bias = [math.log10(score.freq("trigram", a) / score.freq("trigram", entry.spun)) for a in alts]
    # no other occurrence: the row's own shares
    assert score.pooled_shares("trigram", entry, alts, shares, [], _Gains({})) == pytest.approx(shares)
    # the other occurrence's context favours the second alternative beyond its frequency
    gains = _Gains({}, {alts[0]: bias[0], alts[1]: bias[1] + 4.0})
    pooled = score.pooled_shares("trigram", entry, alts, shares, found[1:], gains)
    assert pooled[1] > pooled[0] and shares[0] > shares[1]
    assert sum(pooled) == pytest.approx(sum(shares))
    assert pooled[0] >= score.REPEAT_ALT_KEEP * shares[0]  # one original need not hold everywhere
    # a preference no larger than the commoner word's out-of-context advantage changes nothing
    even = _Gains({}, {alts[0]: bias[0], alts[1]: bias[1]})
    assert score.pooled_shares("trigram", entry, alts, shares, found[1:], even) == pytest.approx(shares)


def test_a_generated_row_is_told_from_a_curated_one() -> None:
    """The WordNet generator's rows and its curated table of the spinner's habits weigh differently
    in the prior (score.MODELS): the feature reads the row's source tag."""
    lexicon = load(("wordnet", "news"), ())
    generated = next(e for e in lexicon.entries["amount"] if e.family == "wordnet")
    habit = next(e for e in lexicon.entries["throughout"] if e.family == "wordnet")
    own = next(e for e in lexicon.entries["mentioned"] if e.family == "news")
    assert (generated.source, habit.source, own.source) == ("gen-wordnet-1", "gen-wordnet-fw", "own")
    at = score.FEATURES.index("generated")
    flags = [score.features("trigram", e, False, False)[at] for e in (generated, habit, own)]
    assert flags == [1.0, 0.0, 0.0]
    assert score.prior_log_odds("wordnet", score.features("trigram", habit, False, False)) > \
        score.prior_log_odds("wordnet", score.features("trigram", generated, False, False))


# Written for these tests: a council notice with seven of the paraphrase spinner's phrases spread
# through plain sentences, so that their density stays under the paraphrase gate's centre.
_FILLER = ("Road repairs come first, with work on the bridge planned for the spring and the old depot to be sold. "
           "Parking charges stay the same, and the bus timetable will be reviewed in the autumn. ")
_NOTICE = (
    "The council published its yearly plan for the town on Monday, and most of it reads as expected. " + _FILLER
    + "A report on local health notes that coronary illness remains the main cause of death, and that the keto "
    "eating routine has become popular among younger residents. " + _FILLER + "Councillors want more people to "
    "try weight preparing at the leisure centre. " + _FILLER + "The plan also mentions the weekend market, where "
    "stalls sell entire grains and fresh bread, and a new cafe that promises a better feasting experience near the "
    "station. " + _FILLER + "Business leaders asked for help with the monetary recuperation after a slow year. "
    + _FILLER + "The plan will be discussed at the next meeting, which is open to the public."
)


def test_many_distinct_paraphrase_terms_open_the_gate_below_its_density(monkeypatch: pytest.MonkeyPatch) -> None:
    report = Restorer().scan(_NOTICE).report
    assert report.family == "paraphrase" and report.spin > 0.9
    assert report.evidence < score.FAMILY_GATES["paraphrase"].centre  # the density alone would not do it
    assert "heart disease" in Restorer().restore(_NOTICE)
    no_count = dict(score.FAMILY_GATES, paraphrase=score.FAMILY_GATES["paraphrase"]._replace(count_centre=math.inf))
    monkeypatch.setattr(score, "FAMILY_GATES", no_count)
    assert Restorer().scan(_NOTICE).report.spin < 0.5


def test_the_count_evidence_needs_its_density() -> None:
    """The same seven terms in a document four times as long (clean paragraphs appended) are not
    enough: a long clean document gathers distinct terms by length alone."""
    long = _NOTICE + "\n\n" + "\n\n".join([_FILLER * 6] * 6)
    assert Restorer().scan(long).report.spin < 0.5
