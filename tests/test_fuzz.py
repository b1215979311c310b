"""Fuzzing (Hypothesis) of the tokenizer, the protection of code and addresses, the JSONL reader
and the lexicon parser. Marked ``slow``; the whole module is bounded to about a minute by its
example counts (``pytest -m "not slow"`` leaves it out).

- tokenizer: lossless with contiguous offsets on any text, hostile Unicode and token-like
  fragments (URLs, addresses, code, comments, tags, numbers, abbreviations, quotes);
- protection: on spun text full of such fragments, no change ever touches a protected token;
- JSONL reader: on any line (JSON generated with any layout, then mutated; arbitrary bytes), the
  reader agrees with ``json.loads``, raises nothing but ``Malformed``, and rewriting the text
  field changes only that field's bytes; a chunk of lines gives exactly one result per line;
- lexicon parser: any text either parses or raises ``LexiconError`` with ``file:line:``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from despin import Restorer, tokenize
from despin.corpus import Job, Malformed, parse_object, process_jsonl, read_record
from despin.lexicon import LexiconError, parse_text
from despin.match import Words

from .conftest import ROOT
from .test_properties import HOSTILE, SENTENCES, SPUN

pytestmark = pytest.mark.slow

EXAMPLE = (ROOT / "examples" / "harbour-council.spun.txt").read_text(encoding="utf-8")
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)

FRAGMENTS = [
    "https://example.com/mentioned?x=1", "http://a.b/c_d(e)", "www.example.org/hearth.", "ftp://x.y/", "mailto:",
    "mentioned@example.org", "a.b+c@d-e.co.uk", "@handle_1", "#hashtag", "#", "@", "snake_case_name", "a_", "_",
    "camelCaseName", "getX", "a.b.c", "os.path.join(a, b)", "f()", "x(", ")", "/usr/local/bin", "/a/b.c/",
    "```", "```py\nmentioned = 1\n```", "`code`", "`", "<!--", "-->", "<!-- mentioned -->", "<b>", "</b>",
    "<a href='x'>",
    "<", ">", "3.6", "1,000", "10:30", "5mn", "12", "U.S.", "e.g.", "sq.", "Mr.", "didn't", "rock'n'roll", "chief’s",
    "’s", "'s", "“", "”", '"', "‘", "’", "...", "-", "—", "(", "[", "{", "*",
]
fragment_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(SPUN), st.sampled_from(HOSTILE),
              st.sampled_from([" ", "\n", "\t", "", ". ", ", "]), st.text(max_size=5)),
    max_size=80,
).map("".join)


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    r = Restorer()
    r.restore(EXAMPLE)
    return r


# -- the tokenizer --------------------------------------------------------------------------------


@given(st.one_of(st.text(max_size=3000), fragment_text, st.text(st.characters(codec=None), max_size=500)))
@settings(FUZZ, max_examples=2000)
def test_fuzz_tokenizer(text: str) -> None:
    pos = 0
    for t in tokenize(text):
        assert t.text and t.start == pos and t.end == pos + len(t.text) and text[t.start : t.end] == t.text
        assert t.kind in ("word", "number", "space", "punct", "protected")
        if t.kind == "space":
            assert t.text.isspace()
        pos = t.end
    assert pos == len(text)
    last = 0
    words = Words(text)  # the matcher's word layer
    for w, s, e in zip(words.surface, words.starts, words.ends, strict=True):
        assert last <= s < e <= len(text) and text[s:e] == w
        last = e


# -- protection -----------------------------------------------------------------------------------


def test_fuzz_changes_never_touch_protected_text(restorer: Restorer) -> None:
    fired = []

    @given(fragment_text, st.sampled_from(SENTENCES), st.integers(0, 3))
    @settings(FUZZ, max_examples=300)
    def prop(fragments: str, sentence: str, where: int) -> None:
        paras = EXAMPLE.split("\n")
        text = "\n".join([*paras[:where], sentence + " " + fragments + " " + sentence, *paras[where:]])
        _, changes = restorer.restore_and_explain(text)
        protected = [(t.start, t.end) for t in tokenize(text) if t.kind == "protected"]
        for c in changes:
            for s, e in protected:
                assert not (c.start < e and c.end > s), (c, text[s:e])
        fired.append(bool(changes))

    prop()
    assert sum(fired) > len(fired) / 2


# -- the JSONL reader -----------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=12)
json_objects = st.dictionaries(st.one_of(st.sampled_from(["text", "id", "meta"]), st.text(max_size=5)),
                               json_values, max_size=5)
spacing = st.sampled_from(["", " ", "  ", "\t", " \t "])


@st.composite
def json_lines(draw: Any) -> str:
    """A JSON object in any layout (spacing, escapes, key order), sometimes mutated."""
    obj = draw(json_objects)
    item, key = draw(spacing), draw(spacing)
    line = json.dumps(obj, ensure_ascii=draw(st.booleans()), separators=("," + item, ":" + key),
                      allow_nan=True)
    line = draw(spacing) + line + draw(spacing)
    for _ in range(draw(st.integers(0, 2))):  # mutations: delete, insert or duplicate a piece
        k = draw(st.integers(0, len(line)))
        op = draw(st.sampled_from(["delete", "insert", "dup"]))
        if op == "delete":
            line = line[:k] + line[k + draw(st.integers(1, 3)) :]
        elif op == "insert":
            line = line[:k] + draw(st.sampled_from(['"', "{", "}", "[", "]", ",", ":", "\\", "\\u", "0", "x", " "])) \
                + line[k:]
        else:
            line = line[:k] + line[k : k + 5] + line[k:]
    return line


def _same(a: Any, b: Any) -> bool:
    """Equality that treats NaN as equal to itself (JSON allows NaN, and Python's json reads it)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@given(st.one_of(json_lines(), st.text(max_size=60)))
@settings(FUZZ, max_examples=1500)
def test_fuzz_json_object_parser_agrees_with_json_loads(line: str) -> None:
    try:
        want = json.loads(line)
    except (ValueError, RecursionError):
        want = Malformed
    try:
        got = parse_object(line)
    except Malformed:
        assert want is Malformed or not isinstance(want, dict), line
        return
    assert isinstance(want, dict), line
    assert _same(got.values, want), line
    # the span of each value holds exactly that value
    for k, (s, e) in got.spans.items():
        assert _same(json.loads(line[s:e]), want[k])


@given(json_lines(), st.text(max_size=30))
@settings(FUZZ, max_examples=700)
def test_fuzz_text_field_rewrite_changes_only_that_field(line: str, new: str) -> None:
    try:
        obj = parse_object(line)
    except Malformed:
        return
    assume(all(not isinstance(k, str) or k.isprintable() for k in obj.values))
    out = obj.replace("text", obj.dumps(new))
    want = dict(obj.values)
    want["text"] = new
    assert _same(json.loads(out), want)
    if "text" in obj.spans:
        s, e = obj.spans["text"]
        assert out[:s] == line[:s] and out[len(out) - (len(line) - e) :] == line[e:]


raw_lines = st.one_of(
    json_lines().map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=80),
    st.builds(lambda o, t: json.dumps({**o, "text": t}).encode(), json_objects, st.sampled_from(SENTENCES)),
)


@given(st.lists(st.tuples(raw_lines, st.sampled_from([b"\n", b"\r\n", b""])), min_size=1, max_size=20))
@settings(FUZZ, max_examples=200)
def test_fuzz_jsonl_reader_accounts_for_every_line(lines: list[tuple[bytes, bytes]]) -> None:
    restorer = Restorer()
    raws = [body.replace(b"\n", b" ").replace(b"\r", b" ") + eol for body, eol in lines]
    raws = [r if r.endswith(b"\n") else r + b"\n" for r in raws[:-1]] + raws[-1:]
    for n, raw in enumerate(raws, 1):
        try:
            read_record(raw, "text", n)
        except Malformed:
            pass
    results = process_jsonl(restorer, Job("fuzz.jsonl", 1, raws))
    assert len(results) == len(raws)
    for raw, (data, outcome, err, _) in zip(raws, results, strict=True):
        assert (err is None) != (outcome is None)
        if err is not None:
            assert data == raw  # the caller keeps or skips it, byte for byte
        else:
            assert data is not None and data.endswith(b"\n") == raw.endswith(b"\n")
            if outcome is not None and outcome.changes == 0:
                assert data == raw


# -- the lexicon parser ---------------------------------------------------------------------------

HEADER = "# despin lexicon\n# format: 1\n# family: fuzz\n# source own: tests; CC0-1.0\n" \
         "spun\trestored\tpos\tweight\tscope\tsource\tnote\n"
row_text = st.lists(st.one_of(st.sampled_from(["\t", "|", " ", "mentioned", "said", "NOUN", "1.5", "name", "own",
                                               "x", "(", "...", "A", "#", "-", "'", "’"]),
                              st.text(max_size=4)), max_size=12).map("".join)


@given(st.one_of(st.lists(row_text, max_size=8).map(lambda rows: HEADER + "\n".join(rows) + "\n"),
                 st.text(max_size=300)))
@settings(FUZZ, max_examples=700)
def test_fuzz_lexicon_parser_errors_are_file_line(text: str) -> None:
    try:
        lex = parse_text(text, "fuzz.tsv")
    except LexiconError as e:
        m = re.match(r"^fuzz\.tsv:(\d+): \S", str(e))
        assert m, e
        assert 1 <= int(m.group(1)) <= max(1, len(text.splitlines())), e
        return
    for e in lex.entries:
        assert e.spun and all(e.restored)
