"""Text despin must leave alone: other languages, code, HTML, web addresses, headlines, tables,
quotations.

Every document under ``tests/data/leave_alone/`` was written for these tests and is full of
words the lexicons know (each test checks that the matcher finds them, so the test is not
vacuous). Each must come back byte-identical on its own; the parts that despin must never change
whatever the document (another language, code, markup, addresses, headlines, table rows) must
also survive inside a spun document, where the document's spin no longer protects them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from despin import Restorer, apply_changes
from despin.match import Words, find

from .conftest import DATA, ROOT

EXAMPLE = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
LEAVE_ALONE = sorted((DATA / "leave_alone").iterdir())
FOREIGN = [p for p in LEAVE_ALONE if p.stem in ("de", "fr", "es", "pt", "nl")]


def _read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    r = Restorer()
    assert r.restore(EXAMPLE) != EXAMPLE, "precondition: the example is spun"
    return r


def _in_spun_document(restorer: Restorer, piece: str) -> tuple[str, str]:
    """``piece`` as a paragraph between the example's paragraphs; (document, restored)."""
    paras = EXAMPLE.split("\n")
    doc = "\n".join([*paras[:2], piece, *paras[2:]])
    restored = restorer.restore(doc)
    assert restored != doc, "the spun paragraphs around the piece must still be restored"
    return doc, restored


@pytest.mark.parametrize("path", LEAVE_ALONE, ids=lambda p: p.name)
def test_document_comes_back_identical(restorer: Restorer, path: Path) -> None:
    text = _read(path)
    assert len(find(Words(text), restorer.lexicon)) >= 5, "the document should exercise the lexicon"
    assert restorer.restore(text) == text
    assert restorer.restore_and_explain(text) == (text, [])
    assert not [f for f in restorer.scan(text).flags if f.score >= restorer.config.threshold]


@pytest.mark.parametrize("path", FOREIGN, ids=lambda p: p.stem)
def test_other_language_paragraphs_inside_a_spun_document(restorer: Restorer, path: Path) -> None:
    for para in _read(path).strip().split("\n"):
        _, restored = _in_spun_document(restorer, para)
        assert "\n" + para + "\n" in restored, para


@pytest.mark.parametrize("path", FOREIGN, ids=lambda p: p.stem)
def test_other_language_document_with_english_looking_words(restorer: Restorer, path: Path) -> None:
    """A whole foreign document repeated until it is long, with English loanwords sprinkled in:
    the language gate holds at any length."""
    text = (_read(path) + "\n") * 5
    text = text.replace(" und ", " and ").replace(" et ", " and ").replace(" y ", " and ")
    assert restorer.restore(text) == text


# Protected text, as it appears in real documents, with spun forms inside (see tokens.py).
CODE_BLOCKS = re.findall(r"```.*?```", _read(DATA / "leave_alone" / "code.md"), flags=re.S)
PROTECTED = [
    *CODE_BLOCKS,
    "`subsequent_month = True`",
    "`metropolis.council()`",
    "historical_past = proprietor.commerce(outdated=True)",
    "getApprehensiveIndividuals",
    "final_12_months",
    "international.locations.mentioned",
    "<!-- international locations: mentioned, towards, hearth, 12 months -->",
    '<div class="mentioned towards-hearth" data-spun="international locations" title="final 12 months">',
    '<a href="/news/metropolis-council-mentioned" title="apprehensive individuals">',
    # the content of HTML elements that hold code, in scraped pages that kept their markup
    "<code>metropolis council mentioned</code>",
    '<PRE class="src">the 12 months\nthat international locations mentioned</PRE>',
    "<script>var mentioned = 'international locations';</script>",
    # TeX math, code environments and keys (arXiv sources, MathJax on Q&A pages)
    r"$international locations = 12 months$",
    r"$2^{\text{final 12 months}}$",
    r"$$\text{international locations mentioned}$$",
    r"\[ \text{final 12 months} \]",
    r"\(\text{international locations}\)",
    "\\begin{equation}\n  \\text{subsequent month} = \\begin{cases} 1 & \\text{international locations} \\\\"
    " 0 & \\text{12 months} \\end{cases}\n\\end{equation}",
    "\\begin{align*}\n  x &= \\text{final 12 months}\n\\end{align*}",
    "\\begin{verbatim}\nmetropolis council mentioned\n\\end{verbatim}",
    r"\cite[p.~3]{international locations}",
    r"\ref{final 12 months}",
    r"\url{international locations}",
    # other fences of code: Markdown's ~~~, BBCode (forums), org-mode
    "~~~\nthe metropolis council mentioned\n~~~",
    "[code]the metropolis council mentioned final 12 months[/code]",
    "[CODE=text]international locations[/CODE]",
    "#+BEGIN_EXAMPLE\nthe metropolis council mentioned\n#+END_EXAMPLE",
    # addresses without a scheme, DOIs, Windows paths, wiki link targets, JSON objects
    "example.com/metropolis-council-mentioned",
    "metropolis.org",
    "doi:10.1016/j.metropolis.2019.12.004",
    "10.1000/international-locations-mentioned",
    r"C:\Users\proprietor\mentioned.txt",
    "[[Metropolis (1927 film)|the film]]",
    "[[Category:International locations]]",
    '{"status": "mentioned", "period": "12 months", "owner": "proprietor"}',
    "https://example.org/news/metropolis-council-mentioned-final-12-months?ref=hearth",
    "www.example.com/international-locations/towards.html",
    "mentioned.individuals@example.org",
    "apprehensive@harbour.example.co.uk",
    "@mentioned",
    "@hearth_news",
    "#InternationalLocations",
    "#towards",
    "/var/www/metropolis/final-12-months/report.txt",
    # longer than the protected patterns' bounds
    "https://example.com/" + "a" * 400 + "/mentioned-final-12-months",
    "x_" + "a" * 120 + "_mentioned",
    "`" + "a " * 200 + "mentioned`",
]


# Lines of code without fences or indentation, as scraped Q&A pages keep them (a line of its own).
CODE_LINES = ['x = "international locations"', "counts['metropolis'] += 12", 'print("the metropolis mentioned")',
              "$ grep mentioned international_locations.txt", "user@host:~$ echo metropolis council",
              ">>> restore('the metropolis council')", "SELECT * FROM individuals WHERE city = 'metropolis'",
              'const city = "metropolis";', "def subsequent(individuals):", "import metropolis"]


@pytest.mark.parametrize("line", CODE_LINES, ids=lambda s: s[:30])
def test_a_line_of_code_inside_a_spun_document(restorer: Restorer, line: str) -> None:
    _, restored = _in_spun_document(restorer, line)
    assert "\n" + line + "\n" in restored


@pytest.mark.parametrize("line", ["let me know if the metropolis council mentioned it",
                                  "public transport in the metropolis mentioned"], ids=lambda s: s[:20])
def test_lower_case_prose_is_no_line_of_code(restorer: Restorer, line: str) -> None:
    _, restored = _in_spun_document(restorer, line)
    assert "city" in restored.split("\n")[2]


# Bare numbers that label, name or measure something: the news spinner writes "2" for *two*, but
# spelling these out broke them ("Table three", "[three]", "Python three", "at three pm").
NUMBER_LABELS = ["in Table 3 and Fig. 2 of the report [3]", "see Section 4, Step 2 and no. 3",
                 "as Python 3 does", "at 3 pm on July 6", "where x = 3 + 4", "Rating: 4 / 5", "in 12(3), 45-67"]


@pytest.mark.parametrize("piece", NUMBER_LABELS, ids=lambda s: s[:30])
def test_numbers_that_are_labels_stay_digits(restorer: Restorer, piece: str) -> None:
    doc = EXAMPLE.replace("mentioned on Tuesday", f"mentioned on Tuesday ({piece})", 1)
    assert piece in restorer.restore(doc)


def test_a_counted_number_is_still_spelled_out(restorer: Restorer) -> None:
    doc = EXAMPLE.replace("mentioned on Tuesday", "mentioned on Tuesday that the 2 leaders and 5 others", 1)
    assert "the two leaders and five others" in restorer.restore(doc)


# Prose next to TeX-like signs: prices, cashtags, shell variables and TeX commands whose argument
# is prose. The spun phrase inside each is restored.
NOT_TEX = [
    "it cost $5 and international locations paid $10 for it",
    "from $5 to international locations $6",
    "as $AAPL and international locations $TSLA fell",
    "set $HOME and international locations $PATH",
    r"as \textbf{international locations} show",
    "see [[Harbour|international locations]] there",  # a wiki link's label is prose
    "it met sooner.  12 international locations objected",  # two spaces after a stop: no table row
]


@pytest.mark.parametrize("piece", NOT_TEX, ids=lambda s: s[:30])
def test_prose_beside_tex_signs_is_restored(restorer: Restorer, piece: str) -> None:
    _, restored = _in_spun_document(restorer, piece)
    assert piece.replace("international locations", "countries") in restored


@pytest.mark.parametrize("piece", PROTECTED, ids=lambda s: s[:30])
def test_protected_text_inside_a_spun_document(restorer: Restorer, piece: str) -> None:
    # as its own paragraph, and inside a spun sentence
    _, restored = _in_spun_document(restorer, piece)
    assert piece in restored
    doc = EXAMPLE.replace("mentioned on Tuesday", f"mentioned on Tuesday ({piece})", 1)
    assert restorer.restore(doc).count(piece) == doc.count(piece) == 1


def test_protected_web_text_document(restorer: Restorer) -> None:
    """Every address, handle and hashtag of web.txt, inside a spun sentence."""
    web = _read(DATA / "leave_alone" / "web.txt")
    tokens = [t.rstrip(".,") for t in re.findall(r"\S+", web) if any(c in t for c in "@#/:")]
    assert len(tokens) >= 10
    doc = EXAMPLE.replace("mentioned on Tuesday", "mentioned on Tuesday (" + " ".join(tokens) + ")", 1)
    restored = restorer.restore(doc)
    assert "(" + " ".join(tokens) + ")" in restored and restored != doc


@pytest.mark.parametrize("headline", _read(DATA / "leave_alone" / "headlines.txt").splitlines())
def test_all_caps_headline_above_a_spun_article(restorer: Restorer, headline: str) -> None:
    doc = headline + "\n" + EXAMPLE
    restored = restorer.restore(doc)
    assert restored.startswith(headline + "\n") and restored != doc


INDENTED_CODE = _read(DATA / "indented_code.txt").splitlines()


def test_indented_code_inside_a_spun_document(restorer: Restorer) -> None:
    """Markdown code blocks that lost their fences (scraped pages keep the indentation): each
    line that looks like code stays as written, the block as a whole and line by line."""
    as_prose = [re.sub(r"[^A-Za-z]+", " ", line) for line in INDENTED_CODE]
    assert all(find(Words(words), restorer.lexicon) for words in as_prose), "each line has spun forms"
    doc, restored = _in_spun_document(restorer, "\n" + "\n".join(INDENTED_CODE) + "\n")
    assert "\n".join(INDENTED_CODE) in restored
    for line in INDENTED_CODE:
        _, restored = _in_spun_document(restorer, "\n" + line + "\n")
        assert "\n" + line + "\n" in restored


def test_indented_prose_inside_a_spun_document_is_still_restored(restorer: Restorer) -> None:
    """An indented paragraph of prose (a block quote, a hard-wrapped e-mail) is not code."""
    prose = "    The metropolis council mentioned on Tuesday that the brand new finances would proceed."
    _, restored = _in_spun_document(restorer, "\n" + prose + "\n")
    assert "    The city council said on Tuesday" in restored


def test_table_rows_inside_a_spun_document(restorer: Restorer) -> None:
    table = _read(DATA / "leave_alone" / "tables.txt")
    rows = [line for line in table.splitlines() if re.search(r"\d", line) and not line.startswith("Over")]
    doc, restored = _in_spun_document(restorer, "\n".join(rows))
    out_rows = restored.split("\n")[2 : 2 + len(rows)]
    assert out_rows == rows


def test_quotations_in_a_clean_document_with_spun_looking_words(restorer: Restorer) -> None:
    quotes = _read(DATA / "leave_alone" / "quotes.txt")
    doc = (quotes + "\n") * 4  # longer, same clean evidence
    assert restorer.restore(doc) == doc


@pytest.mark.parametrize("text", [
    "```data innovation (IT)```",                      # found by Hypothesis (test_properties)
    "Set it with `data innovation (IT)` in the file.",
    "See https://example.org/data-innovation-(IT) now.",
])
def test_an_acronym_cue_inside_code_or_a_url_is_left_alone(text: str) -> None:
    """The acronym cue holds in any document, but not inside protected text: it matches in a
    piece cut from the text, which no longer shows the code or URL around it."""
    shipped = Restorer()
    assert shipped.restore("We study data innovation (IT) here.") != "We study data innovation (IT) here."
    assert shipped.restore(text) == text


def test_a_word_after_a_bracket_inside_a_url_is_left_alone() -> None:
    """Found by test_fuzz: "(" before a word let the matcher skip the URL check, though the
    bracket was inside the URL."""
    shipped = Restorer()
    url = "https://example.com/mentioned?x=1(mentioned"
    spun = ("The metropolis council mentioned on Tuesday that it might spend £4mn on repairs to the "
            "outdated harbour wall, which was badly broken by storms final 12 months.")
    out = shipped.restore(f"{spun} {url} {spun}")
    assert url in out and out.count("said") == 2


@pytest.mark.parametrize("fragment", [
    # found by test_fuzz (HYPOTHESIS_PROFILE=explore): code fences run into a URL, which the
    # tokenizer and the matcher paired differently
    "https://example.com/mentioned?x=1```https://example.com/mentioned?x=1```",
    "https://example.com/mentioned?x=1```py\nmentioned = 1\n```mentioned```",
    "https://example.com/mentioned?x=1```py\nmentioned = 1\n```international locations```",
    "a ```https://example.com/mentioned?x=1``` b",
])
def test_changes_agree_with_the_tokenizer_on_fences_and_urls(fragment: str) -> None:
    from despin.tokens import tokenize

    spun = ("The metropolis council mentioned on Tuesday that it might spend £4mn on repairs to the "
            "outdated harbour wall, which was badly broken by storms final 12 months.")
    text = f"{spun} {fragment} {spun}"
    _, changes = Restorer().restore_and_explain(text)
    protected = [(t.start, t.end) for t in tokenize(text) if t.kind == "protected"]
    assert changes and protected
    assert not [c for c in changes for s, e in protected if c.start < e and c.end > s]


def test_a_kept_phrase_is_left_in_a_spun_document() -> None:
    """The keep-list holds genuine phrases found changed in clean text ("last fiscal year" lost
    "fiscal" to the wordnet row "fiscal year" -> *year* in the Lee news corpus); inside a document
    that is plainly WordNet-spun, the spun words around it are still restored."""
    text = ("The company's profit rose 11 percent last fiscal year. Workers area unit angry, and that we have "
            "a tendency to assume it's Associate in Nursing outrage, the union aforesaid. The managers area "
            "unit quiet and therefore the shareholders area unit happy, aforesaid Associate in Nursing analyst.")
    a = Restorer().analyze(text)
    assert a.report.family == "wordnet" and len(a.changes) >= 5
    assert "fiscal year" in apply_changes(text, a.changes)
    assert not [f for f in a.flags if "fiscal" in f.spun]
