"""The command line, run in-process through main(argv) and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import despin
from despin.cli import main

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "harbour-council.spun.txt"


def test_restore_file_to_file(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    assert main(["restore", str(EXAMPLE), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == despin.restore(EXAMPLE.read_text(encoding="utf-8"))


def test_restore_refuses_to_overwrite_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.txt"
    src.write_text("he mentioned it", encoding="utf-8")
    assert main(["restore", str(src), "-o", str(src)]) == 1
    assert "refusing" in capsys.readouterr().err
    assert src.read_text(encoding="utf-8") == "he mentioned it"


def test_stdin_to_stdout_as_a_process() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "despin", "restore", "-"], input=text.encode(),
                          capture_output=True, check=True)
    assert proc.stdout.decode() == despin.restore(text)


def test_scan_prints_linter_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(EXAMPLE), "--check"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    flagged = [ln for ln in lines if ln.startswith(f"{EXAMPLE}:") and "->" in ln]
    assert flagged
    path, line, col, rest = flagged[0].split(":", 3)
    text_lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    spun = rest.split("'")[1]
    assert text_lines[int(line) - 1][int(col) - 1 :].startswith(spun)


def test_scan_columns_do_not_count_a_byte_order_mark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain, marked = tmp_path / "plain.txt", tmp_path / "marked.txt"
    plain.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    marked.write_text("\ufeff" + EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    main(["scan", str(plain)])
    expected = [ln.split(":", 1)[1] for ln in capsys.readouterr().out.splitlines() if "->" in ln]
    main(["scan", str(marked)])
    got = [ln.split(":", 1)[1] for ln in capsys.readouterr().out.splitlines() if "->" in ln]
    assert got == expected and got[0].startswith("1:")  # line 1 has a flag: its columns are editors'


def test_scan_check_passes_on_clean_text(tmp_path: Path) -> None:
    p = tmp_path / "clean.txt"
    p.write_text("The committee met on Monday and approved the budget.\n", encoding="utf-8")
    assert main(["scan", str(p), "--check"]) == 0


def test_explain_is_replayable_json(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    assert main(["explain", str(EXAMPLE), "-o", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    text = EXAMPLE.read_text(encoding="utf-8")
    assert despin.apply_changes(text, doc["changes"]) == doc["restored"]
    assert {"spin", "family", "paragraphs"} <= set(doc["report"])


def test_invalid_utf8_is_reported_and_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(b"first line\nsecond \xff line\n")
    out = tmp_path / "out.txt"
    assert main(["restore", str(p), "-o", str(out)]) == 0
    assert "bad.txt:2: invalid UTF-8; undecodable bytes passed through unchanged" in capsys.readouterr().err
    assert out.read_bytes() == b"first line\nsecond \xff line\n"


def test_invalid_utf8_bytes_survive_a_restore_byte_for_byte(tmp_path: Path) -> None:
    # latin-1 and truncated sequences next to words that are restored: only the words change
    spun = b"The metropolis council mentioned \xe9t\xe9 on Tuesday \xe2\x82 that the 12 months was good.\n"
    p = tmp_path / "bad.txt"
    p.write_bytes(spun)
    out = tmp_path / "out.txt"
    assert main(["restore", str(p), "-o", str(out)]) == 0
    got = out.read_bytes()
    assert b"city council said \xe9t\xe9 on Tuesday \xe2\x82 that" in got
    assert got.count(b"\xe9") == 2 and b"\xef\xbf\xbd" not in got  # no U+FFFD
    # the same through stdin and stdout
    proc = subprocess.run([sys.executable, "-m", "despin", "restore", "-"], input=spun, capture_output=True, check=True)
    assert proc.stdout == got
    # and the word-level diff of such a file prints, its bad bytes as they are
    proc = subprocess.run([sys.executable, "-m", "despin", "restore", "--diff", str(p)],
                          capture_output=True, check=True)
    assert b"{+said+}" in proc.stdout and b"\xe9t\xe9" in proc.stdout


def test_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["restore", "/nonexistent/file.txt"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_bad_user_lexicon_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lex = tmp_path / "mine.tsv"
    lex.write_text("not a lexicon\n", encoding="utf-8")
    assert main(["restore", str(EXAMPLE), "--lexicon", str(lex)]) == 1
    assert "mine.tsv:1:" in capsys.readouterr().err


def test_eval_prints_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    orig = (ROOT / "examples" / "harbour-council.orig.txt").read_text(encoding="utf-8")
    gold = tmp_path / "ex.gold.json"
    start = text.index("mentioned")
    gold.write_text(json.dumps({"spun": text, "edits": [
        {"start": start, "end": start + 9, "spun": "mentioned", "gold": ["said"], "optional": False}]}))
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps({"text": orig}) + "\nnot json\n", encoding="utf-8")
    assert main(["eval", str(gold), "--clean", str(clean)]) == 0
    out = capsys.readouterr().out
    assert "TOTAL" in out and "identical" in out
    total = [ln for ln in out.splitlines() if ln.startswith("TOTAL")][0]
    assert float(total.split()[1]) == 1.0  # the one required edit is restored


@pytest.mark.parametrize(("argv", "message"), [(["--threshold", "nan"], "threshold must be finite"),
                                             (["--max-chars", "0"], "max_chars must be a positive")])
def test_unusable_option_values_are_usage_errors(tmp_path: Path, argv: list[str], message: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.txt"
    src.write_text("The metropolis council mentioned it.\n")
    for command in ("restore", "explain"):
        assert main([command, str(src), *argv]) == 2
        assert message in capsys.readouterr().err


def test_keep_list_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keep = tmp_path / "keep.tsv"
    keep.write_text("phrase\tnote\nmentioned\tthis corpus quotes a play of that name\n", encoding="utf-8")
    src = tmp_path / "in.txt"
    src.write_text("The metropolis council mentioned on Tuesday that the 12 months had been tough.\n")
    assert main(["restore", str(src), "--keep", str(keep)]) == 0
    out = capsys.readouterr().out
    assert "city council mentioned" in out and "the year" in out


def test_learn_proposes_rows_that_the_lexicon_parser_accepts(tmp_path: Path) -> None:
    from despin.lexicon import parse_file

    spun = tmp_path / "spun.txt"
    orig = tmp_path / "orig.txt"
    spun.write_text("The minister mentioned the international locations would meet. She mentioned it twice.\n")
    orig.write_text("The minister said the countries would meet. She said it twice.\n")
    out = tmp_path / "learned.tsv"
    assert main(["learn", str(spun), str(orig), "--family", "mine", "-o", str(out)]) == 0
    lex = parse_file(out)
    rows = {e.spun: e for e in lex.entries}
    assert rows["mentioned"].restored == ("said",)
    assert rows["international locations"].restored == ("countries",)
    assert lex.family == "mine"
    # the proposed lexicon is usable as a user lexicon
    restored = despin.restore("They mentioned the international locations. " * 3, families=(), lexicons=(str(out),))
    assert "said the countries" in restored


def test_learn_reads_compressed_jsonl_and_skips_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gzip

    from despin.lexicon import parse_file

    good = json.dumps({"spun": "The agency mentioned it.", "orig": "The firm said it."}).encode()
    lines = [good, b'{"spun": 5, "orig": "x"}', b"\xff not utf-8", b"[1]", b"not json", good]
    src = tmp_path / "pairs.jsonl.gz"
    src.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    out = tmp_path / "learned.tsv"
    assert main(["learn", "--jsonl", str(src), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert [f"pairs.jsonl.gz:{n}:" in err for n in range(1, 7)] == [False, True, True, True, True, False]
    rows = {e.spun: e for e in parse_file(out).entries}
    assert rows["mentioned"].restored == ("said",) and rows["agency"].restored == ("firm",)


def test_learn_takes_text_files_that_are_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spun, orig = tmp_path / "spun.txt", tmp_path / "orig.txt"
    spun.write_bytes(b"The agency mentioned it \xff.\n")
    orig.write_bytes(b"The firm said it \xff.\n")
    assert main(["learn", str(spun), str(orig)]) == 0
    got = capsys.readouterr()
    assert "spun.txt:1: invalid UTF-8" in got.err and "mentioned\tsaid" in got.out
    assert main(["learn", str(tmp_path / "missing.txt"), str(orig)]) == 1
    assert "no such file" in capsys.readouterr().err
