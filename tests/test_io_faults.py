"""Corpus I/O faults: nothing is lost, nothing half-written appears under a final name.

- every input line is accounted for: in the output (restored, or kept unchanged) or in the error
  report (with its line number), and the counts of ``--stats`` match, for any mix of good and bad
  lines (invalid UTF-8, not JSON, not an object, no text field, text not a string, empty lines,
  a BOM, CRLF) and each ``--on-error`` mode;
- truncated gzip and zstd input is an error naming the file, never a silently shorter output;
- a full disk (ENOSPC, and a real kernel write limit), an interrupted run (SIGINT) and a killed
  run (SIGKILL) leave no file under the final output name but complete ones, and
  ``--skip-existing`` finishes the job;
- user lexicon errors give ``file:line: what is wrong`` and load nothing.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from despin import LexiconError, Restorer, corpus
from despin.cli import main
from despin.lexicon import load

from .conftest import EXAMPLE


def _only(lex: str) -> list[str]:
    return ["--no-shipped-lexicons", "--lexicon", lex]


def _jsonl(texts: list[str]) -> bytes:
    return "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)).encode()


def _run(*argv: str, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "despin", *argv], capture_output=True, check=False, **kw)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".despin-"))


# -- every line accounted for -------------------------------------------------------------------

GOOD = [
    json.dumps({"text": EXAMPLE}).encode(),
    json.dumps({"text": "Nothing to change here."}).encode(),
    json.dumps({"id": 1, "text": "He mentioned it."}, ensure_ascii=False).encode(),
    '{"text": "Café owners mentioned \\ud800 nothing", "z": null}'.encode(),
    json.dumps({"text": ""}).encode(),
    json.dumps({"text": "ok", "nested": {"text": 5}}).encode(),
]
BAD = [  # (line without its end, why the reader refuses it)
    (b'{"text": "bad \xff utf-8"}', "invalid UTF-8"),
    (b'{"text": "truncated \xe2\x82"}', "invalid UTF-8"),
    (b'{"text": "overlong \xc0\xaf"}', "invalid UTF-8"),
    (b'{"text": "surrogate \xed\xa0\x80"}', "invalid UTF-8"),
    (b"not json at all", "invalid JSON"),
    (b'{"text": "unterminated', "invalid JSON"),
    (b'{"text": "a"} trailing', "invalid JSON"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b'"just a string"', "not a JSON object"),
    (b"null", "not a JSON object"),
    (b"42", "not a JSON object"),
    (b'{"body": "no text field"}', "no field 'text'"),
    (b'{"text": 42}', "field 'text' is int"),
    (b'{"text": null}', "field 'text' is null"),
    (b'{"text": ["a"]}', "field 'text' is list"),
    (b"", "empty line"),
    (b"   ", "empty line"),
    (b'{"text": "x", "d": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "JSON nested too deeply"),
]

lines_strategy = st.lists(
    st.tuples(st.one_of(st.sampled_from(GOOD), st.sampled_from(range(len(BAD)))), st.sampled_from([b"\n", b"\r\n"])),
    min_size=1, max_size=25,
)


@pytest.mark.parametrize("on_error", ["keep", "skip", "raise"])
def test_every_input_line_is_accounted_for(tmp_path: Path, lex: str, restorer: Restorer, on_error: str) -> None:
    @given(lines_strategy, st.booleans(), st.booleans())
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    def prop(lines: list[tuple[bytes | int, bytes]], bom: bool, final_eol: bool) -> None:
        bodies = [BAD[x][0] if isinstance(x, int) else x for x, _ in lines]
        eols = [eol for _, eol in lines]
        if not final_eol and bodies[-1]:
            eols[-1] = b""  # the last line has no line end (an empty one would not be a line)
        if bom and not isinstance(lines[0][0], int):
            bodies[0] = b"\xef\xbb\xbf" + bodies[0]
        raw_lines = [b + e for b, e in zip(bodies, eols, strict=True)]
        src, out, stats = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "stats.json"
        for p in (out, stats):
            p.unlink(missing_ok=True)
        src.write_bytes(b"".join(raw_lines))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["restore", "--jsonl", str(src), "-o", str(out), "--stats", str(stats),
                         "--on-error", on_error, *_only(lex)])
        report = err.getvalue()
        bad_at = [n for n, (x, _) in enumerate(lines, 1) if isinstance(x, int)]
        if on_error == "raise" and bad_at:
            assert code == 1 and not out.exists() and not stats.exists()
            first = bad_at[0]
            assert f"{src}:{first}: {BAD[lines[first - 1][0]][1]}" in report, report  # type: ignore[index]
            assert _leftovers(tmp_path) == []
            return
        assert code == 0, report
        got = out.read_bytes().splitlines(keepends=True)
        s = json.loads(stats.read_text())
        # every bad line is reported once, with its number and the reason
        reported = [int(m) for m in re.findall(rf"^despin: {re.escape(str(src))}:(\d+): ", report, re.M)]
        assert reported == bad_at, report
        for n in bad_at:
            assert f"{src}:{n}: {BAD[lines[n - 1][0]][1]}" in report  # type: ignore[index]
        good_n = len(lines) - len(bad_at)
        assert s["documents"] == good_n
        assert s["malformed"]["lines"] == len(bad_at)
        assert s["malformed"]["kept" if on_error == "keep" else "skipped"] == len(bad_at)
        expected = [r for (x, _), r in zip(lines, raw_lines, strict=True)
                    if on_error == "keep" or not isinstance(x, int)]
        assert len(got) == len(expected)
        kept = [x for x, _ in lines if on_error == "keep" or not isinstance(x, int)]
        for x, before, after in zip(kept, expected, got, strict=True):
            if isinstance(x, int):
                assert after == before  # kept byte for byte
                continue
            eol = b"\r\n" if before.endswith(b"\r\n") else b"\n" if before.endswith(b"\n") else b""
            assert after.endswith(eol) and (eol or not after.endswith(b"\n"))
            text = json.loads(before.decode("utf-8-sig"))["text"]
            assert json.loads(after.decode("utf-8-sig"))["text"] == restorer.restore(text)

    prop()


def test_invalid_utf8_in_compressed_text_is_reported_with_its_line(tmp_path: Path, lex: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in.txt.gz", tmp_path / "out.txt"
    src.write_bytes(gzip.compress(b"one\ntwo\nthe metropolis council mentioned \xff it\nfour\n"))
    assert main(["restore", str(src), "-o", str(out), *_only(lex)]) == 0
    assert f"{src}:3: invalid UTF-8" in capsys.readouterr().err
    assert out.read_bytes() == b"one\ntwo\nthe city council said \xff it\nfour\n"  # the bad byte as it was


# -- truncated compressed input -------------------------------------------------------------------


def _compress(kind: str, data: bytes) -> bytes:
    if kind == "gzip":
        return gzip.compress(data)
    zstandard = pytest.importorskip("zstandard")
    # two frames, as written by concatenating shards: truncation inside either must be caught
    half = len(data) // 2
    c = zstandard.ZstdCompressor()
    return c.compress(data[:half]) + c.compress(data[half:])


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
@pytest.mark.parametrize("jsonl", [True, False], ids=["jsonl", "text"])
@pytest.mark.parametrize("cut", [0.25, 0.5, 0.75, -3])
def test_truncated_compressed_input_is_an_error(tmp_path: Path, lex: str, kind: str, jsonl: bool, cut: float,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = _jsonl([EXAMPLE] * 60)
    packed = _compress(kind, data)
    end = int(len(packed) * cut) if cut > 0 else len(packed) + int(cut)
    ext = ".jsonl" if jsonl else ".txt"
    src = tmp_path / f"in{ext}{'.gz' if kind == 'gzip' else '.zst'}"
    src.write_bytes(packed[:end])
    out = tmp_path / f"out{ext}"
    argv = ["restore", *(["--jsonl"] if jsonl else []), str(src), "-o", str(out), *_only(lex)]
    assert main(argv) == 1
    assert str(src) in capsys.readouterr().err
    assert not out.exists() and _leftovers(tmp_path) == []
    # the whole file still works
    src.write_bytes(packed)
    assert main(argv) == 0 and out.exists()


def test_truncated_input_on_stdin_is_an_error(lex: str) -> None:
    packed = gzip.compress(_jsonl([EXAMPLE] * 20))
    proc = _run("restore", "--jsonl", "-", *_only(lex), input=packed[: len(packed) // 2])
    assert proc.returncode == 1, proc.stderr
    assert b"end-of-stream" in proc.stderr or b"truncated" in proc.stderr, proc.stderr


# -- a full disk, an interrupted run, a killed run ------------------------------------------------


class _FullDisk(io.RawIOBase):
    """A file that accepts ``room`` bytes and then fails like a full disk."""

    def __init__(self, f: Any, room: int) -> None:
        self._f, self._room = f, room

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        if len(b) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(b)
        return self._f.write(b)

    def fileno(self) -> int:
        return self._f.fileno()

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        if not self.closed:
            try:
                super().close()
            finally:
                self._f.close()


@pytest.mark.parametrize("what", ["text", "jsonl", "jsonl.gz", "stats"])
def test_full_disk_leaves_no_file_under_the_final_name(tmp_path: Path, lex: str, what: str,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """ENOSPC after 100 bytes of the output (or of the --stats file, the output itself fitting)."""
    real_fdopen = os.fdopen
    opened: list[int] = []

    def fdopen(fd: int, *a: Any, **k: Any) -> Any:
        opened.append(fd)
        room = 10**9 if what == "stats" and len(opened) == 1 else 100
        return _FullDisk(real_fdopen(fd, *a, **k), room)

    monkeypatch.setattr(corpus.os, "fdopen", fdopen)
    if what == "text":
        src, out = tmp_path / "in.txt", tmp_path / "out.txt"
        src.write_text(EXAMPLE * 10, encoding="utf-8")
        argv = ["restore", str(src), "-o", str(out)]
    else:
        src, out = tmp_path / "in.jsonl", tmp_path / ("out." + what if what != "stats" else "out.jsonl")
        src.write_bytes(_jsonl([EXAMPLE] * 30))
        argv = ["restore", "--jsonl", str(src), "-o", str(out)]
    stats = tmp_path / "stats.json"
    code = main([*argv, "--stats", str(stats), *_only(lex)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "No space left on device" in err, err
    assert not stats.exists() and _leftovers(tmp_path) == []
    assert out.exists() == (what == "stats")  # only a complete output has its final name


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_kernel_write_limit_then_skip_existing_resumes(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    """A real write failure from the kernel (the file size limit, like a full disk), then a resumed
    run: shards already written are kept, the failed one is written whole."""
    shards = tmp_path / "shards"
    shards.mkdir()
    sizes = {"a": 3, "b": 400, "c": 3}  # b's output is larger than the limit
    for name, n in sizes.items():
        (shards / f"{name}.jsonl").write_bytes(_jsonl([EXAMPLE] * n))
    outdir = tmp_path / "out"
    argv = ["restore", "--jsonl", *sorted(str(p) for p in shards.iterdir()), "-o", str(outdir), "--skip-existing",
            *_only(lex)]
    proc = _run(*argv, preexec_fn=lambda: _limit_file_size(100_000))
    assert proc.returncode == 1, proc.stderr
    assert b"b.jsonl" in proc.stderr and b"File too large" in proc.stderr, proc.stderr
    assert sorted(p.name for p in outdir.iterdir()) == ["a.jsonl"]  # nothing under b's name, no temp file
    first = (outdir / "a.jsonl").stat().st_mtime_ns
    proc = _run(*argv)
    assert proc.returncode == 0, proc.stderr
    assert b"skipping" in proc.stderr
    assert (outdir / "a.jsonl").stat().st_mtime_ns == first
    for name, n in sizes.items():
        got = (outdir / f"{name}.jsonl").read_bytes().splitlines()
        assert len(got) == n and json.loads(got[-1])["text"] == restorer.restore(EXAMPLE)


def _start_and_stop(argv: list[str], outdir: Path, sig: int) -> subprocess.Popen[bytes]:
    """Start despin and send ``sig`` once it is writing its second output file."""
    proc = subprocess.Popen([sys.executable, "-m", "despin", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = {p.name for p in outdir.iterdir()} if outdir.exists() else set()
        if "0.jsonl" in names and any(n.startswith(".despin-") for n in names):
            break
        if proc.poll() is not None:
            pytest.fail("despin finished before it could be stopped: make the shards larger")
        time.sleep(0.005)
    proc.send_signal(sig)
    proc.wait(60)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_run_then_skip_existing_resumes(tmp_path: Path, lex: str, restorer: Restorer, sig: int) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    n = 400
    for k in range(3):
        (shards / f"{k}.jsonl").write_bytes(_jsonl([EXAMPLE] * (3 if k == 0 else n)))
    outdir = tmp_path / "out"
    argv = ["restore", "--jsonl", *sorted(str(p) for p in shards.iterdir()), "-o", str(outdir), "--skip-existing",
            *_only(lex)]
    proc = _start_and_stop(argv, outdir, sig)
    assert proc.returncode != 0
    want = restorer.restore(EXAMPLE)

    def complete(k: int) -> bool:
        got = (outdir / f"{k}.jsonl").read_bytes().splitlines()
        return len(got) == (3 if k == 0 else n) and all(json.loads(line)["text"] == want for line in got)

    finals = sorted(p.name for p in outdir.iterdir() if not p.name.startswith(".despin-"))
    assert "0.jsonl" in finals and len(finals) < 3, finals  # stopped while writing a later shard
    assert all(complete(int(name.split(".")[0])) for name in finals)  # a final name is a complete file
    if sig == signal.SIGINT:
        assert _leftovers(outdir) == []  # an interrupted run removes its temporary file
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    else:  # a killed run cannot clean up: its temporary file stays, under a .despin-<pid>-*.tmp name
        assert _leftovers(outdir)
    proc2 = _run(*argv)
    assert proc2.returncode == 0, proc2.stderr
    assert all(complete(k) for k in range(3))
    assert _leftovers(outdir) == []  # the next run removed what the killed one left


# -- user lexicon errors ----------------------------------------------------------------------------

HEADER = "# despin lexicon\n# format: 1\n# family: usertest\n# source own: tests; CC0-1.0\n" \
         "spun\trestored\tpos\tweight\tscope\tsource\tnote\n"
GOOD_ROWS = "".join(f"word{k}\treplacement{k}\n" for k in range(200))


@pytest.mark.parametrize(
    "bad_row, message",
    [
        ("Mentioned\tsaid", "not normalised"),
        ("mentioned\t", "empty replacement"),
        ("mentioned\tsaid (usually)", "note or bracket"),
        ("mentioned\tsaid\tVERBISH", "unknown part of speech"),
        ("word7\tagain", "duplicate key"),
        ("mentioned\tsaid\t\t\t\tnobody", "not declared"),
        ("\tsaid", "empty 'spun' column"),
        ("mentioned\tsaid\tVERB\t1\tany\town\tnote\textra", "columns"),
    ],
)
def test_user_lexicon_error_names_file_and_line_and_loads_nothing(tmp_path: Path, bad_row: str, message: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """An error on line 206, after 200 good rows: reported as file:206, and no row is loaded."""
    p = tmp_path / "user.tsv"
    p.write_text(HEADER + GOOD_ROWS + bad_row + "\n" + "word999\tlast\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        Restorer(families=(), lexicons=(str(p),)).restore("word1 and word999")
    assert re.match(rf"^{re.escape(str(p))}:206: ", str(err.value)), err.value
    assert message in str(err.value)
    with pytest.raises(LexiconError):
        load((), (str(p),))  # still failing: nothing partial was cached
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("word1 word2", encoding="utf-8")
    assert main(["restore", str(src), "-o", str(out), "--no-shipped-lexicons", "--lexicon", str(p)]) == 1
    assert f"{p}:206: " in capsys.readouterr().err and not out.exists()
    # once fixed, the whole file loads
    p.write_text(HEADER + GOOD_ROWS + "word999\tlast\n", encoding="utf-8")
    fixed = tmp_path / "fixed.tsv"  # a new path: lexicons are cached by path
    fixed.write_bytes(p.read_bytes())
    r = Restorer(families=(), lexicons=(str(fixed),))
    assert len(r.lexicon.entries) == 201


def test_user_lexicon_error_in_one_of_two_files_loads_neither(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.tsv", tmp_path / "bad.tsv"
    good.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    bad.write_text(HEADER.replace("usertest", "other") + "fine\tgood\nBad\tx\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"^{re.escape(str(bad))}:7: "):
        Restorer(families=(), lexicons=(str(good), str(bad))).restore("word1")
    with pytest.raises(LexiconError, match=rf"^{re.escape(str(bad))}:7: "):
        Restorer(families=(), lexicons=(str(bad), str(good))).restore("word1")


@pytest.mark.parametrize(
    "content, line",
    [
        (b"", 1),
        (b"\xff\xfe# despin lexicon\n", 1),  # UTF-16 BOM: not UTF-8
        (HEADER.encode() + b"ok\tfine\ncaf\xe9\tcoffee\n", 7),
        (HEADER.replace("# format: 1\n", "").encode() + b"ok\tfine\n", 4),
    ],
)
def test_unreadable_user_lexicon_is_file_line(tmp_path: Path, content: bytes, line: int) -> None:
    p = tmp_path / "u.tsv"
    p.write_bytes(content)
    with pytest.raises(LexiconError, match=rf"^{re.escape(str(p))}:{line}: "):
        Restorer(families=(), lexicons=(str(p),)).restore("ok")


def test_missing_user_lexicon(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "nope.tsv"
    with pytest.raises(LexiconError, match=rf"^{re.escape(str(p))}:0: cannot read"):
        Restorer(families=(), lexicons=(str(p),)).restore("ok")


# -- a document longer than --max-chars ---------------------------------------------------------


def test_text_over_max_chars_is_kept_or_stops_the_run(tmp_path: Path, lex: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "big.txt", tmp_path / "out.txt"
    text = "The metropolis council mentioned it. " * 10
    src.write_text(text, encoding="utf-8")
    limit = ["--max-chars", "100"]
    assert main(["restore", str(src), "-o", str(out), *limit, *_only(lex)]) == 0
    assert out.read_text(encoding="utf-8") == text
    assert "more than max_chars=100; split it first; kept unchanged" in capsys.readouterr().err
    out.unlink()
    assert main(["restore", str(src), "-o", str(out), "--on-error", "raise", *limit, *_only(lex)]) == 1
    assert not out.exists()
    assert main(["explain", str(src), *limit, *_only(lex)]) == 1
    assert "raise --max-chars" in capsys.readouterr().err
    # without the limit the same file is restored
    assert main(["restore", str(src), "-o", str(out), *_only(lex)]) == 0
    assert out.read_text(encoding="utf-8") != text


def test_jsonl_record_over_max_chars_is_a_malformed_line(tmp_path: Path, lex: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    short = "The metropolis council mentioned it."
    lines = [json.dumps({"text": short * 10}), json.dumps({"text": short})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["restore", "--jsonl", str(src), "-o", str(out), "--max-chars", "100", *_only(lex)]) == 0
    got = out.read_text(encoding="utf-8").splitlines()
    assert got[0] == lines[0] and json.loads(got[1])["text"] != short
    assert "in.jsonl:1: cannot restore: text has 360 characters, more than max_chars=100" in capsys.readouterr().err


def test_output_in_a_missing_folder_names_that_folder(tmp_path: Path, lex: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.txt"
    src.write_text("The metropolis council mentioned it.\n", encoding="utf-8")
    out = tmp_path / "missing" / "out.txt"
    assert main(["restore", str(src), "-o", str(out), *_only(lex)]) == 1
    err = capsys.readouterr().err
    assert f"no folder {tmp_path / 'missing'} to write {out} in" in err and ".tmp" not in err
