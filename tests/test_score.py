"""The scorer's view of the text: LM words, contexts and gains."""

from __future__ import annotations

from despin import score
from despin.context import BOS, EOS, load_model
from despin.lexicon import load
from despin.match import Words, find


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
