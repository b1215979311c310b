"""The ``despin`` command line: restore, scan, explain, eval.

``main(argv) -> int``: 0 on success, 1 when ``scan --check`` finds something or an input
fails, 2 for usage errors (argparse). Output goes to stdout unless ``-o`` names a file; an
output path equal to the input is refused, and files are written atomically (a temporary file in
the same folder, then a rename), so a failed run never leaves a half-written file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from . import __version__
from .config import Config
from .lexicon import LexiconError
from .restorer import Restorer


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--threshold", type=float, default=Config.threshold,
                   help="minimum score (log10 odds) to apply a change (default %(default)s)")
    p.add_argument("--family", action="append", dest="families", metavar="NAME",
                   help="use only this lexicon family (repeatable; default: all shipped)")
    p.add_argument("--lexicon", action="append", dest="lexicons", default=[], metavar="PATH",
                   help="extra user lexicon in despin's TSV format (repeatable)")
    p.add_argument("--restore-names", action="store_true", help="also change capitalised names mid-sentence")


def _restorer(args: argparse.Namespace) -> Restorer:
    return Restorer(
        threshold=args.threshold,
        families=tuple(args.families) if args.families else None,
        lexicons=tuple(args.lexicons),
        restore_names=args.restore_names,
    )


def _read(path: str) -> str:
    """Read a text file (or stdin for ``-``) as UTF-8; undecodable bytes become U+FFFD, with a
    warning, rather than stopping the run."""
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        print(f"despin: {path}:{line}: invalid UTF-8; undecodable bytes replaced with U+FFFD", file=sys.stderr)
        return data.decode("utf-8", errors="replace")


def write_atomic(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".despin-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _same_file(a: str, b: str | None) -> bool:
    if a == "-" or not b or b == "-":
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _emit(out: str | None, text: str) -> None:
    if out and out != "-":
        write_atomic(out, text)
    else:
        sys.stdout.write(text)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def cmd_restore(args: argparse.Namespace) -> int:
    if _same_file(args.input, args.output):
        print(f"despin: refusing to overwrite the input {args.input}; pick another -o", file=sys.stderr)
        return 1
    _emit(args.output, _restorer(args).restore(_read(args.input)))
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    text = _read(args.input)
    result = _restorer(args).scan(text)
    name = "<stdin>" if args.input == "-" else args.input
    lines = []
    for f in result.flags:
        line, col = _line_col(text, f.start)
        lines.append(f"{name}:{line}:{col}: {f.reason} {f.spun!r} -> {f.restored!r} ({f.score:+.2f})\n")
    r = result.report
    lines.append(f"{name}: spin {r.spin:.2f} family {r.family or '-'} evidence {r.evidence:.1f}/100 words, "
                 f"{len(result.flags)} flags\n")
    _emit(args.output, "".join(lines))
    return 1 if args.check and any(f.score >= args.threshold for f in result.flags) else 0


def cmd_explain(args: argparse.Namespace) -> int:
    text = _read(args.input)
    r = _restorer(args)
    analysis = r.analyze(text)
    restored, changes = r.restore_and_explain(text)
    doc: dict[str, Any] = {
        "report": {"spin": analysis.report.spin, "family": analysis.report.family,
                   "evidence": analysis.report.evidence, "words": analysis.report.words,
                   "paragraphs": list(analysis.report.paragraphs)},
        "changes": [c.to_dict() for c in changes],
        "flags": [dataclasses.asdict(f) for f in analysis.flags],
        "restored": restored,
    }
    _emit(args.output, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from . import evaluate

    r = _restorer(args)
    out: IO[str] = sys.stdout
    gold_files = [p for g in args.gold for p in _expand(g, ".gold.json")]
    clean_files = [p for c in args.clean for p in _expand(c, ".jsonl")]
    if not gold_files and not clean_files:
        print("despin eval: give gold JSON files or folders, and/or --clean JSONL files or folders", file=sys.stderr)
        return 2
    if gold_files:
        results = evaluate.eval_gold(gold_files, r.restore)
        total = evaluate.Score()
        print(f"{'gold file':44} {'recall':>7} {'prec.':>7} {'correct':>8} {'changes':>8}", file=out)
        for name, s in results:
            total += s
            print(f"{name:44} {s.recall:7.3f} {s.precision:7.3f} {s.correct:4}/{s.required:<4}"
                  f"{s.good_changes:4}/{s.changes:<4}", file=out)
            if args.verbose:
                for d in s.details:
                    print("    " + " | ".join(map(str, d)), file=out)
        print(f"{'TOTAL':44} {total.recall:7.3f} {total.precision:7.3f} {total.correct:4}/{total.required:<4}"
              f"{total.good_changes:4}/{total.changes:<4}", file=out)
    if clean_files:
        results = evaluate.eval_clean(clean_files, r.restore)
        total = evaluate.Score()
        print(f"\n{'clean corpus':44} {'words':>8} {'false':>6} {'per 1k':>7} {'identical':>10}", file=out)
        for name, s in results:
            total += s
            print(f"{name:44} {s.words:8} {s.false_changes:6} {s.false_per_1k:7.3f} "
                  f"{s.identical_docs:4}/{s.docs:<5}", file=out)
            if args.verbose:
                for d in s.details:
                    print("    " + " | ".join(map(str, d)), file=out)
        share = total.identical_docs / total.docs if total.docs else 1.0
        print(f"{'TOTAL':44} {total.words:8} {total.false_changes:6} {total.false_per_1k:7.3f} "
              f"{total.identical_docs:4}/{total.docs:<5} ({share:.1%} identical)", file=out)
    return 0


def _expand(path: str, suffix: str) -> list[str]:
    p = Path(path)
    if p.is_dir():
        return sorted(str(x) for x in p.glob(f"*{suffix}"))
    return [path]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="despin", description="Find and reverse article-spinner substitutions.")
    parser.add_argument("--version", action="version", version=f"despin {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("restore", help="write the restored text")
    p.add_argument("input", nargs="?", default="-", help="text file, or - for stdin (default)")
    p.add_argument("-o", "--output", help="output file (default stdout); never the input")
    _add_common(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("scan", help="list suspicious spans as path:line:col: reason 'spun' -> 'restored' (score)")
    p.add_argument("input", nargs="?", default="-")
    p.add_argument("-o", "--output")
    p.add_argument("--check", action="store_true", help="exit 1 when any flag reaches the threshold")
    _add_common(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("explain", help="the restored text, the changes and the flags as JSON")
    p.add_argument("input", nargs="?", default="-")
    p.add_argument("-o", "--output")
    _add_common(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("eval", help="recall/precision on gold JSON, false changes on clean JSONL")
    p.add_argument("gold", nargs="*", help="gold JSON files or folders (*.gold.json)")
    p.add_argument("--clean", action="append", default=[], metavar="PATH",
                   help="clean JSONL file or folder (repeatable); every change there is false")
    p.add_argument("-v", "--verbose", action="store_true", help="print misses and wrong changes")
    _add_common(p)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LexiconError as e:
        print(f"despin: lexicon error: {e}", file=sys.stderr)
        return 1
    except FileNotFoundError as e:
        print(f"despin: {e.filename}: no such file", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
