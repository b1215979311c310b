"""The command line on corpora: JSONL, compression, workers, stats, check/diff, bad lines, resume.

Every test runs the real engines. Expected outputs come from ``Restorer`` with the same options
(never from the lexicons' exact contents): a small user lexicon written here makes sure the
bundled example has changes to make, whatever the shipped lexicons hold today.
"""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from despin import Restorer, batch
from despin.cli import main

from .conftest import EXAMPLE, ORIG

CLEAN = "The committee met on Monday and approved the budget for the new library.\n"


def _only(lex: str) -> list[str]:
    """CLI options: the test lexicon and no shipped lexicon (fast to load, independent of them)."""
    return ["--no-shipped-lexicons", "--lexicon", lex]


def _records(n: int = 8) -> list[dict[str, object]]:
    """Spun and clean documents, with fields before and after the text and non-ASCII text."""
    texts = [EXAMPLE, ORIG, CLEAN, EXAMPLE.replace("£", "€"), "", "Café owners mentioned nothing."]
    return [{"id": i, "body": texts[i % len(texts)], "meta": {"lang": "en", "score": 0.5, "tags": ["a", "é"]},
             "z": None} for i in range(n)]


def _jsonl(records: list[dict[str, object]], **dumps: object) -> bytes:
    return "".join(json.dumps(r, **dumps) + "\n" for r in records).encode("utf-8")  # type: ignore[arg-type]


def _run(*argv: str, stdin: bytes | None = None, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "despin", *argv], input=stdin, capture_output=True,
                          check=False, **kw)  # type: ignore[call-overload]


# -- plain text ----------------------------------------------------------------------------------


def test_restore_text_file_to_file(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text(EXAMPLE, encoding="utf-8")
    assert main(["restore", str(src), "-o", str(out), *_only(lex)]) == 0
    assert out.read_text(encoding="utf-8") == restorer.restore(EXAMPLE)
    assert src.read_text(encoding="utf-8") == EXAMPLE


def test_restore_stdin_to_stdout_pipe(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    # `cat in.txt | despin restore - > out.txt`
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text(EXAMPLE, encoding="utf-8")
    cmd = f"cat {src} | {sys.executable} -m despin restore - --no-shipped-lexicons --lexicon {lex} > {out}"
    subprocess.run(cmd, shell=True, check=True)
    assert out.read_text(encoding="utf-8") == restorer.restore(EXAMPLE)


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_compressed_stdin_is_recognised_by_magic_bytes(kind: str, lex: str, restorer: Restorer) -> None:
    data = EXAMPLE.encode("utf-8")
    if kind == "gzip":
        packed = gzip.compress(data)
    else:
        zstandard = pytest.importorskip("zstandard")
        packed = zstandard.ZstdCompressor().compress(data)
    proc = _run("restore", "-", *_only(lex), stdin=packed)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == restorer.restore(EXAMPLE)


# -- JSONL ----------------------------------------------------------------------------------------


def test_jsonl_gzip_with_text_field_workers_and_stats(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    # `despin restore --jsonl --text-field body in.jsonl.gz -o out.jsonl.gz -j 2 --stats stats.json`
    records = _records()
    src, out, stats_path = tmp_path / "in.jsonl.gz", tmp_path / "out.jsonl.gz", tmp_path / "stats.json"
    src.write_bytes(gzip.compress(_jsonl(records)))
    code = main(["restore", "--jsonl", "--text-field", "body", str(src), "-o", str(out), "-j", "2",
                 "--stats", str(stats_path), *_only(lex)])
    assert code == 0
    with gzip.open(out, "rt", encoding="utf-8") as f:
        got = [json.loads(line) for line in f]
    assert [list(r) for r in got] == [list(r) for r in records]  # every field, in its order
    for before, after in zip(records, got, strict=True):
        assert after == {**before, "body": restorer.restore(before["body"])}  # type: ignore[arg-type]

    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    analyses = [restorer.analyze(r["body"]) for r in records]  # type: ignore[arg-type]
    assert stats["documents"] == len(records)
    assert stats["changed_documents"] == sum(1 for a in analyses if a.changes) > 0
    assert stats["changes"] == sum(len(a.changes) for a in analyses)
    by_reason: dict[str, int] = {}
    by_family: dict[str, int] = {}
    for a in analyses:
        for c in a.changes:
            by_reason[c.reason] = by_reason.get(c.reason, 0) + 1
            by_family[c.family] = by_family.get(c.family, 0) + 1
    assert stats["changes_by_reason"] == by_reason
    assert stats["changes_by_family"] == by_family
    hist = stats["spin_histogram"]
    assert len(hist["counts"]) == len(hist["edges"]) - 1 and sum(hist["counts"]) == len(records)
    spun_bin = min(9, int(restorer.analyze(EXAMPLE).report.spin * 10))
    assert hist["counts"][spun_bin] >= 2
    assert stats["malformed"] == {"lines": 0, "kept": 0, "skipped": 0}


@pytest.mark.parametrize("lexicons", ["test", "shipped"])
def test_jsonl_output_is_byte_identical_for_any_worker_count(
        tmp_path: Path, lex: str, lexicons: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_CHARS", 3000)  # several chunks, so workers really share the input
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(_records(40)) + b"not json\n")
    options = _only(lex) if lexicons == "test" else []  # "shipped": whatever the shipped lexicons hold
    outputs = []
    for j in ("1", "2", "3"):
        out = tmp_path / f"out{j}.jsonl"
        assert main(["restore", "--jsonl", "--text-field", "body", str(src), "-o", str(out), "-j", j,
                     "--stats", str(tmp_path / f"s{j}.json"), *options]) == 0
        outputs.append(out.read_bytes())
    if lexicons == "test":
        assert outputs[0] != src.read_bytes()
    assert outputs[0] == outputs[1] == outputs[2]
    stats = {(tmp_path / f"s{j}.json").read_text() for j in "123"}
    assert len(stats) == 1


def test_jsonl_records_keep_their_bytes_except_the_text(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    lines = [
        '{"id":1,"body":' + json.dumps(EXAMPLE) + ',"n":1.10,"x":[1,2]}',  # compact, ASCII escapes
        '{ "id" : 2 , "body" : ' + json.dumps(EXAMPLE, ensure_ascii=False) + ' , "n" : 1e3 }',  # spaced
        '{"body": ' + json.dumps(CLEAN) + ', "id": 3, "n": 1.10}',  # nothing to change: kept as is
        '{"id": 4, "body": ' + json.dumps(EXAMPLE, ensure_ascii=False) + "}",  # last line, no newline
    ]
    raw = ("\r\n".join(lines[:2]) + "\r\n" + lines[2] + "\n" + lines[3]).encode("utf-8")
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(raw)
    assert main(["restore", "--jsonl", "--text-field", "body", str(src), "-o", str(out), *_only(lex)]) == 0
    got = out.read_bytes().decode("utf-8")
    fixed = restorer.restore(EXAMPLE)
    want = [
        '{"id":1,"body":' + json.dumps(fixed) + ',"n":1.10,"x":[1,2]}',
        '{ "id" : 2 , "body" : ' + json.dumps(fixed, ensure_ascii=False) + ' , "n" : 1e3 }',
        lines[2],
        '{"id": 4, "body": ' + json.dumps(fixed, ensure_ascii=False) + "}",
    ]
    assert got == "\r\n".join(want[:2]) + "\r\n" + want[2] + "\n" + want[3]


@pytest.mark.parametrize("ext", [".jsonl.gz", ".jsonl.zst", ".jsonl"])
def test_compression_by_extension_in_and_out(tmp_path: Path, ext: str, lex: str, restorer: Restorer) -> None:
    data = _jsonl(_records(6))
    src, out = tmp_path / f"in{ext}", tmp_path / f"out{ext}"
    if ext.endswith(".gz"):
        src.write_bytes(gzip.compress(data))
    elif ext.endswith(".zst"):
        zstandard = pytest.importorskip("zstandard")
        src.write_bytes(zstandard.ZstdCompressor().compress(data))
    else:
        src.write_bytes(data)
    assert main(["restore", "--jsonl", "--text-field", "body", str(src), "-o", str(out), *_only(lex)]) == 0
    packed = out.read_bytes()
    if ext.endswith(".gz"):
        assert packed[:2] == b"\x1f\x8b"
        text = gzip.decompress(packed)
    elif ext.endswith(".zst"):
        assert packed[:4] == b"\x28\xb5\x2f\xfd"
        text = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed), read_across_frames=True).read()
    else:
        text = packed
    got = [json.loads(line) for line in text.decode("utf-8").splitlines()]
    assert [r["body"] for r in got] == [restorer.restore(r["body"]) for r in _records(6)]  # type: ignore[arg-type]


def test_gzip_output_is_reproducible(tmp_path: Path, lex: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(_records(4)))
    outs = []
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        assert main(["restore", "--jsonl", "--text-field", "body", str(src), "-o", str(tmp_path / name),
                     *_only(lex)]) == 0
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]  # no file name or time stamp in the gzip header


def test_jsonl_gzip_on_stdin_to_stdout(lex: str, restorer: Restorer) -> None:
    records = _records(4)
    proc = _run("restore", "--jsonl", "--text-field", "body", "-", *_only(lex),
                stdin=gzip.compress(_jsonl(records)))
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert [r["body"] for r in got] == [restorer.restore(r["body"]) for r in records]  # type: ignore[arg-type]


def test_missing_zstandard_is_a_clear_error(tmp_path: Path, lex: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)  # as if the corpus extra were not installed
    src = tmp_path / "in.jsonl.zst"
    src.write_bytes(b"\x28\xb5\x2f\xfd")
    assert main(["restore", "--jsonl", str(src), "-o", str(tmp_path / "out.jsonl"), *_only(lex)]) == 1
    assert "pip install 'despin[corpus]'" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_corrupt_gzip_is_a_clear_error(tmp_path: Path, lex: str, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(_jsonl(_records(3)))[:-30])
    out = tmp_path / "out.jsonl"
    assert main(["restore", "--jsonl", str(src), "-o", str(out), *_only(lex)]) == 1
    assert "in.jsonl.gz" in capsys.readouterr().err
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["in.jsonl.gz"]


# -- scan --------------------------------------------------------------------------------------------


def test_scan_jsonl_reports_per_document_and_keeps_text(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    # `despin scan --jsonl in.jsonl -o report.jsonl`
    records = [{"id": i, "text": t} for i, t in enumerate([EXAMPLE, CLEAN, ""])]
    src, out = tmp_path / "in.jsonl", tmp_path / "report.jsonl"
    src.write_bytes(_jsonl(records))
    assert main(["scan", "--jsonl", str(src), "-o", str(out), *_only(lex)]) == 0
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for before, after in zip(records, got, strict=True):
        assert list(after) == [*before, "despin"]
        assert after["text"] == before["text"]
        a = restorer.analyze(before["text"])  # type: ignore[arg-type]
        rep = after["despin"]
        assert rep["spin"] == a.report.spin and rep["family"] == a.report.family
        assert rep["changes"] == len(a.changes)
        assert [(f["start"], f["end"], f["restored"], f["score"]) for f in rep["flags"]] == \
            [(f.start, f.end, f.restored, f.score) for f in a.flags]
        for f in rep["flags"]:
            assert before["text"][f["start"] : f["end"]] == f["spun"]  # type: ignore[index]
    assert got[0]["despin"]["spin"] > got[1]["despin"]["spin"]
    assert got[0]["despin"]["family"] == "corpustest"


def test_scan_jsonl_check_exits_1_on_flags(tmp_path: Path, lex: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl([{"text": EXAMPLE}]))
    assert main(["scan", "--jsonl", str(src), "-o", str(tmp_path / "r.jsonl"), "--check", *_only(lex)]) == 1
    src.write_bytes(_jsonl([{"text": CLEAN}]))
    assert main(["scan", "--jsonl", str(src), "-o", str(tmp_path / "r.jsonl"), "--check", *_only(lex)]) == 0


# -- check and diff --------------------------------------------------------------------------------


def test_check_exits_1_when_anything_would_change_and_writes_nothing(
        tmp_path: Path, lex: str, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl([{"text": CLEAN}, {"text": EXAMPLE}, {"text": CLEAN}]))
    assert main(["restore", "--jsonl", str(src), "--check", *_only(lex)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{src}:2: would change ") and len(out.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]

    src.write_bytes(_jsonl([{"text": CLEAN}]))
    assert main(["restore", "--jsonl", str(src), "--check", *_only(lex)]) == 0
    txt = tmp_path / "in.txt"
    txt.write_text(EXAMPLE, encoding="utf-8")
    assert main(["restore", str(txt), "--check", *_only(lex)]) == 1
    txt.write_text(CLEAN, encoding="utf-8")
    assert main(["restore", str(txt), "--check", *_only(lex)]) == 0


def test_diff_shows_word_level_changes(tmp_path: Path, lex: str, restorer: Restorer,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl([{"text": CLEAN}, {"text": EXAMPLE}]))
    assert main(["restore", "--jsonl", str(src), "--diff", *_only(lex)]) == 0
    out = capsys.readouterr().out
    _, changes = restorer.restore_and_explain(EXAMPLE)
    assert out.splitlines()[0] == f"--- {src}:2 ({len(changes)} changes)"
    for c in changes:
        assert f"[-{c.spun}-]{{+{c.restored}+}}" in out
    # Replaying the marks gives the restored text, line by line.
    import re

    body = [ln for ln in out.splitlines()[1:] if not ln.startswith("@@")]
    replayed = [re.sub(r"\[-(.*?)-\]\{\+(.*?)\+\}", r"\2", ln) for ln in body]
    assert replayed == [ln for ln in restorer.restore(EXAMPLE).splitlines() if ln not in EXAMPLE.splitlines()]
    assert main(["restore", "--jsonl", str(src), "--diff", "--check", *_only(lex)]) == 1


# -- malformed lines ------------------------------------------------------------------------------


def _bad_corpus(tmp_path: Path) -> tuple[Path, list[bytes]]:
    lines = [
        json.dumps({"id": 1, "text": EXAMPLE}).encode() + b"\n",
        b"not json at all\n",
        b'{"id": 3, "body": "no text field"}\n',
        b'{"id": 4, "text": 42}\n',
        b"[1, 2, 3]\n",
        b'{"id": 6, "text": "bad \xff utf-8"}\n',
        b"\n",
        json.dumps({"id": 8, "text": CLEAN}).encode() + b"\n",
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(lines))
    return src, lines


def test_malformed_lines_are_kept_and_reported_by_default(
        tmp_path: Path, lex: str, restorer: Restorer, capsys: pytest.CaptureFixture[str]) -> None:
    src, lines = _bad_corpus(tmp_path)
    out, stats = tmp_path / "out.jsonl", tmp_path / "stats.json"
    assert main(["restore", "--jsonl", str(src), "-o", str(out), "--stats", str(stats), *_only(lex)]) == 0
    err = capsys.readouterr().err
    for n, why in [(2, "invalid JSON"), (3, "no field 'text'"), (4, "field 'text' is int"),
                   (5, "not a JSON object"), (6, "invalid UTF-8"), (7, "empty line")]:
        assert f"{src}:{n}: {why}" in err, err
    got = out.read_bytes().splitlines(keepends=True)
    assert got[1:7] == lines[1:7]  # passed through unchanged, in place
    assert json.loads(got[0])["text"] == restorer.restore(EXAMPLE)
    assert got[7] == lines[7]
    s = json.loads(stats.read_text())
    assert s["documents"] == 2 and s["malformed"] == {"lines": 6, "kept": 6, "skipped": 0}


def test_malformed_lines_skipped(tmp_path: Path, lex: str, capsys: pytest.CaptureFixture[str]) -> None:
    src, lines = _bad_corpus(tmp_path)
    out, stats = tmp_path / "out.jsonl", tmp_path / "stats.json"
    assert main(["restore", "--jsonl", str(src), "-o", str(out), "--on-error", "skip", "--stats", str(stats),
                 *_only(lex)]) == 0
    assert f"{src}:2: invalid JSON" in capsys.readouterr().err
    got = out.read_bytes().splitlines(keepends=True)
    assert len(got) == 2 and got[1] == lines[7]
    assert json.loads(stats.read_text())["malformed"] == {"lines": 6, "kept": 0, "skipped": 6}


def test_malformed_line_raise_stops_and_writes_nothing(
        tmp_path: Path, lex: str, capsys: pytest.CaptureFixture[str]) -> None:
    src, _ = _bad_corpus(tmp_path)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"previous run\n")
    assert main(["restore", "--jsonl", str(src), "-o", str(out), "--on-error", "raise", *_only(lex)]) == 1
    assert f"{src}:2: invalid JSON" in capsys.readouterr().err
    assert out.read_bytes() == b"previous run\n"  # the atomic write never replaced it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


# -- files: never the input, atomic, resume, several inputs ---------------------------------------


def test_input_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    data = _jsonl([{"text": EXAMPLE}])
    src.write_bytes(data)
    assert main(["restore", "--jsonl", str(src), "-o", str(src)]) == 1
    assert main(["restore", "--jsonl", str(src), "-o", str(tmp_path / "o.jsonl"), "--stats", str(src)]) == 1
    assert main(["restore", "--jsonl", str(src), "-o", str(tmp_path)]) == 1  # a folder: same name, same file
    assert capsys.readouterr().err.count("refusing to overwrite the input") == 3
    assert src.read_bytes() == data


def test_outputs_that_would_replace_each_other_are_refused(tmp_path: Path, lex: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d1").mkdir()
    (tmp_path / "d2").mkdir()
    a, b = tmp_path / "d1" / "x.jsonl", tmp_path / "d2" / "x.jsonl"
    a.write_bytes(_jsonl([{"text": EXAMPLE}]))
    b.write_bytes(_jsonl([{"text": ORIG}]))
    out = tmp_path / "out"
    # one output name for two inputs: the second run replaced the first's records
    assert main(["restore", "--jsonl", str(a), str(b), "-o", f"{out}/", *_only(lex)]) == 2
    assert "would both be written to" in capsys.readouterr().err and not out.exists()
    # --stats naming the output replaced the restored corpus with the stats
    o = tmp_path / "o.jsonl"
    assert main(["restore", "--jsonl", str(a), "-o", str(o), "--stats", str(o), *_only(lex)]) == 2
    assert "would overwrite the output" in capsys.readouterr().err and not o.exists()
    # several inputs and an existing file as -o
    o.write_bytes(b"keep me")
    assert main(["restore", "--jsonl", str(a), str(b), "-o", str(o), *_only(lex)]) == 2
    assert "is a file" in capsys.readouterr().err and o.read_bytes() == b"keep me"


def test_stats_to_stdout(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_jsonl([{"text": EXAMPLE}, {"text": CLEAN}]))
    proc = _run("restore", "--jsonl", str(src), "-o", str(out), "--stats", "-", *_only(lex))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["documents"] == 2 and not (Path.cwd() / "-").exists()
    assert json.loads(out.read_bytes().splitlines()[0])["text"] == restorer.restore(EXAMPLE)
    proc = _run("restore", "--jsonl", str(src), "--stats", "-", *_only(lex))  # both on stdout
    assert proc.returncode == 2 and b"share stdout" in proc.stderr


def test_reports_never_overwrite_their_input(tmp_path: Path, lex: str, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.txt"
    src.write_text(EXAMPLE, encoding="utf-8")
    assert main(["explain", str(src), "-o", str(src), *_only(lex)]) == 1
    assert main(["learn", str(src), str(src), "-o", str(src)]) == 1
    assert capsys.readouterr().err.count("refusing to overwrite the input") == 2
    assert src.read_text(encoding="utf-8") == EXAMPLE
    assert main(["explain", str(tmp_path), *_only(lex)]) == 1  # a folder: a message, not a traceback
    assert "Is a directory" in capsys.readouterr().err


def test_a_symbolic_link_is_written_through(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    src, real, link = tmp_path / "in.txt", tmp_path / "real.txt", tmp_path / "link.txt"
    src.write_text(EXAMPLE, encoding="utf-8")
    real.write_text("old", encoding="utf-8")
    link.symlink_to(real)
    assert main(["restore", str(src), "-o", str(link), *_only(lex)]) == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == restorer.restore(EXAMPLE)


def test_a_device_or_pipe_output_is_written_in_place(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    """Renaming the temporary file over ``-o /dev/stdout`` (as root) replaced the device."""
    src, fifo = tmp_path / "in.txt", tmp_path / "fifo"
    src.write_text(EXAMPLE, encoding="utf-8")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        assert main(["restore", str(src), "-o", str(fifo), *_only(lex)]) == 0
        got, _ = reader.communicate(timeout=60)  # a replaced FIFO leaves the reader waiting
    finally:
        reader.kill()
    assert got.decode("utf-8") == restorer.restore(EXAMPLE) and fifo.is_fifo()
    proc2 = _run("restore", str(src), "-o", "/dev/stdout", *_only(lex))
    assert proc2.returncode == 0 and proc2.stdout.decode("utf-8") == restorer.restore(EXAMPLE)


def test_workers_are_capped_at_the_cpus() -> None:
    assert batch.resolve_workers(10**8) == batch.resolve_workers(0) == batch.usable_cpus()
    assert batch.resolve_workers(1) == 1


def test_byte_order_marks_of_several_inputs_on_one_stream(tmp_path: Path, lex: str) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for p in (a, b):
        p.write_bytes("\ufeff".encode() + _jsonl([{"text": CLEAN}]))
    proc = _run("restore", "--jsonl", str(a), str(b), *_only(lex))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\ufeff".encode()) == 1 and proc.stdout.startswith("\ufeff".encode())
    again = _run("restore", "--jsonl", "-", *_only(lex), stdin=proc.stdout)  # still valid JSONL
    assert again.returncode == 0 and b"malformed" not in again.stderr


def test_check_into_a_closed_pipe_still_exits_1(tmp_path: Path, lex: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl([{"text": EXAMPLE}] * 2000))
    cmd = f"{sys.executable} -m despin restore --check --jsonl {src} --no-shipped-lexicons --lexicon {lex} | head -c 1"
    proc = subprocess.run(["bash", "-c", cmd + "; exit ${PIPESTATUS[0]}"], capture_output=True, check=False)
    assert proc.returncode == 1, proc.stderr


def test_skip_existing_resumes_a_run_over_shards(tmp_path: Path, lex: str, restorer: Restorer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    for k in range(3):
        (shards / f"{k}.jsonl.gz").write_bytes(gzip.compress(_jsonl([{"k": k, "text": EXAMPLE}])))
    outdir = tmp_path / "restored"
    outdir.mkdir()
    (outdir / "1.jsonl.gz").write_bytes(b"done before")
    inputs = [str(p) for p in sorted(shards.iterdir())]
    assert main(["restore", "--jsonl", *inputs, "-o", str(outdir), "--skip-existing", *_only(lex)]) == 0
    assert "skipping" in capsys.readouterr().err
    assert (outdir / "1.jsonl.gz").read_bytes() == b"done before"
    for k in (0, 2):
        rec = json.loads(gzip.decompress((outdir / f"{k}.jsonl.gz").read_bytes()))
        assert rec == {"k": k, "text": restorer.restore(EXAMPLE)}
    assert sorted(p.name for p in outdir.iterdir()) == ["0.jsonl.gz", "1.jsonl.gz", "2.jsonl.gz"]  # no temp files


def test_several_inputs_to_stdout_stay_one_record_per_line(tmp_path: Path, lex: str) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(b'{"text": "one"}')  # no final newline
    b.write_bytes(b'{"text": "two"}\n')
    proc = _run("restore", "--jsonl", str(a), str(b), *_only(lex))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b'{"text": "one"}\n{"text": "two"}\n'


# -- progress bar ---------------------------------------------------------------------------------


def _stderr_of(argv: list[str], tty: bool) -> str:
    if not tty:
        return _run(*argv).stderr.decode()
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal's size
    proc = subprocess.Popen([sys.executable, "-m", "despin", *argv], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal(tmp_path: Path, lex: str) -> None:
    pytest.importorskip("tqdm")
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(_records(4)))
    argv = ["restore", "--jsonl", "--text-field", "body", str(src), "-o", str(tmp_path / "o.jsonl"), *_only(lex)]
    on_tty = _stderr_of(argv, tty=True)
    assert "in.jsonl" in on_tty and "100%" in on_tty, on_tty
    assert _stderr_of(argv, tty=False) == ""


def test_lone_surrogates_and_line_separators_survive(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    text = EXAMPLE + " \ud800 end\u2028next"
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    # A non-ASCII line (raw "é") whose text holds an escaped lone surrogate, valid JSON and UTF-8.
    src.write_bytes(('{"é": "é", "text": ' + json.dumps(text) + "}\n").encode("utf-8"))
    assert main(["restore", "--jsonl", str(src), "-o", str(out), *_only(lex)]) == 0
    got = out.read_bytes()
    assert got.decode("utf-8").count("\n") == 1
    assert json.loads(got)["text"] == restorer.restore(text)
    # the word-level diff prints a lone surrogate beside a change as its JSON escape
    src.write_text(json.dumps({"text": EXAMPLE.replace(" mentioned ", " mentioned \ud800 ", 1)}) + "\n")
    diff = tmp_path / "diff.txt"
    assert main(["restore", "--jsonl", "--diff", str(src), "-o", str(diff), *_only(lex)]) == 0
    assert "{+said+} \\ud800" in diff.read_text(encoding="utf-8")


def test_jsonl_looking_input_without_jsonl_gets_a_hint(tmp_path: Path, lex: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(_jsonl([{"text": CLEAN}])))
    assert main(["restore", str(src), "-o", str(tmp_path / "out.txt"), *_only(lex)]) == 0
    assert "add --jsonl" in capsys.readouterr().err


def test_output_folder_for_one_input(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    src = tmp_path / "doc.txt"
    src.write_text(EXAMPLE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    assert main(["restore", str(src), "-o", str(tmp_path / "out"), *_only(lex)]) == 0
    assert (tmp_path / "out" / "doc.txt").read_text(encoding="utf-8") == restorer.restore(EXAMPLE)


def test_changes_field_records_every_change_it_made(tmp_path: Path, lex: str, restorer: Restorer) -> None:
    import despin

    recs = [{"id": 1, "text": EXAMPLE, "audit": "old"}, {"text": CLEAN, "z": [1]}]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_jsonl(recs))
    for jobs in ("1", "2"):
        assert main(["restore", "--jsonl", str(src), "-o", str(out), "--changes-field", "audit",
                     "-j", jobs, *_only(lex)]) == 0
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [list(g) for g in got] == [["id", "text", "audit"], ["text", "z", "audit"]]
        assert got[0]["text"] == restorer.restore(EXAMPLE) != EXAMPLE
        # the recorded changes, applied to the text as read, give the restored text
        assert despin.apply_changes(EXAMPLE, got[0]["audit"]["changes"]) == got[0]["text"]
        assert {"start", "end", "spun", "restored", "score", "reason", "source"} <= set(got[0]["audit"]["changes"][0])
        assert got[0]["audit"]["spin"] > 0.5 and got[1]["audit"] == {"spin": 0.0, "family": "", "changes": []}
        assert got[1]["text"] == CLEAN


@pytest.mark.parametrize("argv", [
    ["restore", "--changes-field", "text"],
    ["restore", "--changes-field", "a", "--check"],
    ["restore", "--changes-field", "a", "--diff"],
    ["scan", "--report-field", "body", "--text-field", "body"],
])
def test_a_field_option_that_would_lose_the_text_is_a_usage_error(tmp_path: Path, lex: str, argv: list[str],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl([{"text": EXAMPLE, "body": EXAMPLE}]))
    assert main([argv[0], "--jsonl", str(src), *argv[1:], *_only(lex)]) == 2
    assert "-field" in capsys.readouterr().err
