"""Scale and pathology: time linear in size, memory bounded while streaming, no regex blow-up.

Linearity is checked by timing the same kind of input at two sizes, n and 8n: the larger must
take at most ``SLACK`` times 8 as long (best of a few runs; the constant covers timer noise and
a shared CI machine; a quadratic step at these sizes gives 30 to 70 times). Sizes are chosen so
that every test runs in seconds; the full-size runs (a 50 MB document, a million documents) are
run by hand (see the report in the pull request and ``benchmarks/``).

Streaming memory bound (``despin restore --jsonl``): the output is written as it is produced and
the input read in chunks (``batch.CHUNK_CHARS`` characters or ``batch.CHUNK_ITEMS`` lines, at
most ``IN_FLIGHT_PER_WORKER`` chunks per worker), so peak memory is the lexicons and the context
model (about 100 MB) plus a few chunks and the longest line, whatever the length of the input.
``test_streaming_memory_is_bounded`` checks that 16 MB of input costs less than
``MEMORY_GROWTH_MB`` more peak RSS than 0.5 MB does.
"""

from __future__ import annotations

import gc
import gzip
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from despin import Restorer, batch
from despin.cli import main

from .conftest import DATA, ROOT

EXAMPLE = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
CLEAN = [line for line in (DATA / "clean.txt").read_text(encoding="utf-8").splitlines()
         if line and not line.startswith("#")]
# Words no lexicon row starts with: text made of them costs the tokenizer and the matcher only.
LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
         "labore et dolore magna aliqua").split()
SLACK = 3.0  # ratio allowed: 24 for 8 times the size; a quadratic step gives 30 to 70
# Below this a timing is mostly noise: a smaller run counts as taking this long.
MIN_TIMED = 0.05
MEMORY_GROWTH_MB = 25


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    r = Restorer()
    r.restore(EXAMPLE)  # loaded once, outside the timings
    return r


def clean_document(chars: int, seed: int = 0, sep: str = "\n\n") -> str:
    """Mostly text with no lexicon hit, one clean English sentence (with hits) per paragraph."""
    rnd = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < chars:
        para = " ".join(rnd.choice(LOREM) for _ in range(300)).capitalize() + ". " + rnd.choice(CLEAN) + sep
        out.append(para)
        size += len(para)
    return "".join(out)[:chars]


def best_time(fn: Callable[[], object], runs: int = 1) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()  # start each run from the same heap
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def assert_linear(make: Callable[[int], str], n: int, work: Callable[[str], object], what: str,
                  runs_large: int = 2) -> float:
    """Check that ``work(make(8 * n))`` takes at most ``8 * SLACK`` times ``work(make(n))``
    (best of 3 and of ``runs_large`` runs; the smaller counted as at least ``MIN_TIMED``);
    returns the time of the larger one."""
    small, large = make(n), make(8 * n)
    t_small = best_time(lambda: work(small), runs=3)
    t_large = best_time(lambda: work(large), runs=runs_large)
    ratio = t_large / max(t_small, MIN_TIMED)
    assert ratio <= 8 * SLACK, (f"{what}: {len(small):,} chars in {t_small:.3f} s, {len(large):,} chars in "
                                f"{t_large:.3f} s: {ratio:.1f} times for 8 times the size")
    return t_large


# -- time linear in size ----------------------------------------------------------------------


def test_clean_text_1mb_vs_8mb_on_one_line(restorer: Restorer) -> None:
    """Mostly hit-free text on a single line (a very long line): 1 MB, then 8 MB."""
    def work(text: str) -> None:
        assert restorer.restore(text) == text

    assert_linear(lambda n: clean_document(n, sep=" "), 1_000_000, work, "clean text on one line")


def test_clean_text_in_paragraphs_is_linear(restorer: Restorer) -> None:
    assert_linear(lambda n: clean_document(n), 250_000, restorer.restore, "clean paragraphs")


@pytest.mark.parametrize(
    "unit, n",
    [
        ("He mentioned it. ", 150),  # one spun sentence over and over: the lexicon fires everywhere
        ("he mentioned ", 150),  # the same without sentence ends
        ("The metropolis council mentioned the international locations final 12 months. ", 40),
        ("we propose data innovation (IT) and minimal circle (CD) ", 60),  # acronym cues everywhere
        ("(IT) ", 400),  # acronyms with nothing before them to restore
    ],
)
def test_dense_spun_text_is_linear(restorer: Restorer, unit: str, n: int) -> None:
    assert_linear(lambda k: unit * k, n, restorer.analyze, f"{unit!r} repeated")


def test_spun_article_repeated_is_linear(restorer: Restorer) -> None:
    """25 then 200 copies of the spun example (27 kB, 214 kB): thousands of changes and flags."""
    assert_linear(lambda k: EXAMPLE * k, 25, restorer.analyze, "the spun example repeated", runs_large=1)


def test_html_page_is_linear(restorer: Restorer) -> None:
    """Markup around every sentence: many protected spans and many lexicon hits together."""
    unit = '<p class="x">The metropolis council mentioned the international locations final 12 months.</p>\n'
    assert_linear(lambda k: unit * k, 250, restorer.analyze, "an HTML page", runs_large=1)


@pytest.mark.parametrize("word", ["mentioned", "the", "hearth", "12 months", "x"])
def test_one_word_repeated_many_times(restorer: Restorer, word: str) -> None:
    """6,000 then 48,000 times (a million times, 4 to 10 MB, is run by hand)."""
    assert_linear(lambda k: (word + " ") * k, 6_000, restorer.restore, f"{word!r} repeated")


# -- no regular expression with catastrophic backtracking -------------------------------------

# Units that make the tokenizer's and scorer's patterns try hard: unclosed comments, fences and
# quotes, runs of would-be URLs, addresses, identifiers and numbers.
PATHOLOGICAL = {
    "html-comment": "<!--", "unclosed-code": "<code>", "unclosed-tag": "<a b=", "closing-tag": "</a ", "lt": "<",
    "fence": "```",
    "backtick": "`", "curly-quote": "“", "single-quote": "‘", "straight-quote": '"', "paren-www": "(www.",
    "www-dots": " www.", "url-dots": "http://a.", "at": "@", "hash": "#a_", "email-ish": "a.b+c@",
    "underscore": "a_", "dotted": "a.", "call": "(a.b", "method-call": "a.b(", "mixed": "(a_b.c@d",
    "path": "/a", "camel": "aA", "number": "1,", "apostrophe": "a'", "abbreviation": "sq.", "initials": "U.S",
    "tex-dollars": "$$", "tex-dollar": "$a", "tex-dollar-digit": "$1^", "tex-bracket": "\\[", "tex-paren": "\\(a",
    "tex-env": "\\begin{equation}", "tex-env-nested": "\\begin{cases}", "tex-key": "\\cite{",
    "wiki-link": "[[a", "json": '{"a": ', "host-path": " a.bc/", "doi": " 10.1234/", "windows-path": " C:\\a",
    "hits-on-one-line": "the metropolis mentioned ",  # each hit looks for its line's ends (code lines)
    "tilde-fence": "~~~", "bbcode": "[code]", "org-block": "#+begin_src ",
}
MAX_US_PER_CHAR = 10.0  # clean text runs at about 0.4 µs per character, spun news at about 40


@pytest.mark.parametrize("unit", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_linear(restorer: Restorer, unit: str) -> None:
    """The pattern in the middle of a spun document (so that every stage runs: protected-text
    checks, the scorer's segments and quotations), at 10k and 80k characters."""
    def make(n: int) -> str:
        return EXAMPLE + (unit * n)[:n] + " mentioned\n" + EXAMPLE

    spent = assert_linear(make, 10_000, restorer.restore, f"{unit!r} repeated")
    base = best_time(lambda: restorer.restore(make(0)), runs=3)
    per_char = (spent - base) / 80_000 * 1e6
    assert per_char < MAX_US_PER_CHAR, f"{unit!r} repeated: {per_char:.1f} µs per character"


# -- corpora: many documents, huge and nested records, memory ---------------------------------


def test_many_tiny_documents_stream_through_the_cli(tmp_path: Path) -> None:
    """30,000 tiny records (a million is run by hand): every one is accounted for."""
    texts = ["", "ok", "Hi.", "The cat sat.", "he mentioned it", "x", "12", "Lorem ipsum dolor."]
    n = 30_000
    src, out, stats = tmp_path / "tiny.jsonl.gz", tmp_path / "out.jsonl", tmp_path / "stats.json"
    src.write_bytes(gzip.compress("".join(json.dumps({"id": i, "text": texts[i % len(texts)]}) + "\n"
                                          for i in range(n)).encode()))
    assert main(["restore", "--jsonl", str(src), "-o", str(out), "--stats", str(stats)]) == 0
    lines = out.read_bytes().splitlines()
    assert len(lines) == n and [json.loads(line)["id"] for line in lines[:: n // 10]] == list(range(0, n, n // 10))
    assert json.loads(stats.read_text())["documents"] == n


def test_many_tiny_documents_through_restore_many(restorer: Restorer) -> None:
    n = 30_000
    gen = ("he mentioned it" if i % 7 == 0 else "ok" for i in range(n))  # a generator: never a list
    batch_ = batch.restore_many(gen, restorer=restorer)
    count = sum(1 for _ in batch_)
    assert count == batch_.stats.documents == n


def test_huge_json_record(tmp_path: Path) -> None:
    """One 5 MB record with a large field beside the text, and records around it."""
    text = clean_document(5_000_000)
    big = {"id": 1, "meta": {"numbers": list(range(100_000)), "s": "x" * 100_000}, "text": text}
    src, out = tmp_path / "huge.jsonl", tmp_path / "out.jsonl"
    data = (json.dumps({"id": 0, "text": "ok"}) + "\n" + json.dumps(big) + "\n"
            + json.dumps({"id": 2, "text": "ok"}) + "\n").encode()
    src.write_bytes(data)
    assert main(["restore", "--jsonl", str(src), "-o", str(out)]) == 0
    assert out.read_bytes() == data


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deeply_nested_json_record(tmp_path: Path, jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Valid JSON nested deeper than Python's parser can go: reported and kept, never a crash."""
    depth = 100_000
    lines = [
        json.dumps({"id": 0, "text": EXAMPLE}),
        '{"id": 1, "text": "ok", "deep": ' + "[" * depth + "]" * depth + "}",
        '{"id": 2, "text": "ok", "deep": ' + '{"a": ' * depth + "1" + "}" * depth + "}",
        "[" * depth + "]" * depth,
        json.dumps({"id": 4, "text": "ok", "deep": [[[[[[[[[[[["ok"]]]]]]]]]]]]}),
    ]
    src, out = tmp_path / "deep.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(("\n".join(lines) + "\n").encode())
    assert main(["restore", "--jsonl", str(src), "-o", str(out), "-j", jobs]) == 0
    err = capsys.readouterr().err
    got = out.read_text(encoding="utf-8").splitlines()
    assert len(got) == len(lines)
    assert got[1:] == lines[1:]
    assert json.loads(got[0])["text"] == Restorer().restore(EXAMPLE)
    for n in (2, 3, 4):
        assert f"{src}:{n}: " in err, err


def _peak_rss_mb(args: list[str]) -> float:
    """Peak RSS of ``despin`` run as a child process, in MB (Linux: ru_maxrss in kB)."""
    code = ("import resource, sys\nfrom despin.cli import main\nrc = main(sys.argv[1:])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1]) / 1024


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss units differ")
def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    record_text = clean_document(4000)

    def corpus(path: Path, mb: float) -> None:
        n = int(mb * 1_000_000 / 4000)
        path.write_bytes(gzip.compress("".join(json.dumps({"id": i, "text": record_text}) + "\n"
                                               for i in range(n)).encode(), compresslevel=1))

    small, large = tmp_path / "small.jsonl.gz", tmp_path / "large.jsonl.gz"
    corpus(small, 0.5)
    corpus(large, 16)
    rss_small = _peak_rss_mb(["restore", "--jsonl", str(small), "-o", str(tmp_path / "a.jsonl.gz")])
    rss_large = _peak_rss_mb(["restore", "--jsonl", str(large), "-o", str(tmp_path / "b.jsonl.gz")])
    assert rss_large - rss_small < MEMORY_GROWTH_MB, (rss_small, rss_large)
