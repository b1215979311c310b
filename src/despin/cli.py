"""The ``despin`` command line: restore, scan, explain, eval.

``main(argv) -> int``: 0 on success, 1 when ``scan --check`` or ``restore --check`` finds
something or an input fails, 2 for usage errors (argparse). Output goes to stdout unless ``-o``
names a file; an output path equal to the input is refused, and files are written atomically (a
temporary file in the same folder, then a rename), so a failed run never leaves a half-written file.

``restore`` and ``scan`` also work on corpora: several inputs, JSONL records (``--jsonl``),
gzip/zstd, worker processes (``-j``), stats, malformed-line handling and resumable runs; the
I/O lives in ``corpus.py`` and the worker pool in ``batch.py`` (see ``docs/corpus.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__, corpus
from .apply import apply_changes
from .config import Config
from .lexicon import LexiconError
from .restorer import Restorer, TextTooLongError


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--threshold", type=float, default=Config._field_defaults["threshold"],
                   help="minimum score (log10 odds) to apply a change (default %(default)s)")
    p.add_argument("--family", action="append", dest="families", metavar="NAME",
                   help="use only this lexicon family (repeatable; default: all shipped)")
    p.add_argument("--lexicon", action="append", dest="lexicons", default=[], metavar="PATH",
                   help="extra user lexicon in despin's TSV format (repeatable)")
    p.add_argument("--no-shipped-lexicons", action="store_true",
                   help="use no shipped lexicon family, only the --lexicon files")
    p.add_argument("--restore-names", action="store_true", help="also change capitalised names mid-sentence")
    p.add_argument("--keep", action="append", default=[], metavar="FILE",
                   help="a keep-list: phrases never to change, one per line (repeatable)")
    p.add_argument("--max-chars", type=int, default=Config._field_defaults["max_chars"], metavar="N",
                   help="a longer document is not analysed: in restore and scan it is handled as a "
                        "malformed line (--on-error) (default %(default)s)")


CORPUS_EPILOG = """corpora:
  despin restore --jsonl --text-field body in.jsonl.gz -o out.jsonl.gz -j 2 --stats stats.json
  despin scan --jsonl in.jsonl -o report.jsonl      # adds a "despin" report field; text unchanged
  despin restore --jsonl shards/*.jsonl.zst -o restored/ --skip-existing   # resumable
Output is the same for any -j. Malformed lines are reported with their line number and kept
unchanged (--on-error keep), left out (skip) or stop the run (raise)."""


def _add_corpus(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jsonl", action="store_true",
                   help="input is JSON Lines: process one text field per record, keep every other field")
    p.add_argument("--text-field", default="text", metavar="NAME", help="JSONL field holding the text (default text)")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="worker processes for JSONL (0: one per CPU, and never more; default 1); output is identical "
                        "for any N")
    p.add_argument("--stats", metavar="PATH", help="write counts as JSON: documents, changes by reason and family, "
                   "a histogram of document spin scores, malformed lines")
    p.add_argument("--on-error", choices=("keep", "skip", "raise"), default="keep",
                   help="malformed JSONL lines: keep unchanged (default), skip, or stop; always reported")
    p.add_argument("--skip-existing", action="store_true",
                   help="skip inputs whose output file exists (a finished one: outputs are written atomically)")


def _restorer(args: argparse.Namespace) -> Restorer:
    try:
        return Restorer(
            threshold=args.threshold,
            families=() if args.no_shipped_lexicons else tuple(args.families) if args.families else None,
            lexicons=tuple(args.lexicons),
            keep=tuple(args.keep),
            restore_names=args.restore_names,
            max_chars=args.max_chars,
        )
    except LexiconError:
        raise
    except ValueError as e:  # an option value the Restorer refuses (a NaN threshold, --max-chars 0)
        raise _Usage(str(e)) from None


def _malformed(args: argparse.Namespace, where: str, err: str, counter: Any) -> bool:
    """Report a document that cannot be processed and handle it by ``--on-error``: stop the run
    (``raise``), or count it and return whether it is written through unchanged (``keep``)."""
    if args.on_error == "raise":
        print(f"despin: {where}: {err}; stopping (--on-error raise)", file=sys.stderr)
        raise _Abort
    keep = args.on_error == "keep"
    print(f"despin: {where}: {err}; {'kept unchanged' if keep else 'skipped'}", file=sys.stderr)
    counter.malformed(keep)
    return keep


def _read(path: str) -> str:
    """Read a text file (or stdin for ``-``) as UTF-8 for a report; undecodable bytes become
    U+FFFD, with a warning, rather than stopping the run."""
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    return corpus.decode_text(data, path, lossless=False)


def write_atomic(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    with corpus.atomic_file(path) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


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
    """1-based line and column of ``offset``, as editors count them (a leading BOM is no column)."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    if line == 1 and text.startswith("\ufeff") and offset > 0:
        col -= 1
    return line, col


# -- restore and scan over files and corpora --------------------------------------------------


class _Abort(Exception):
    """A run stops (a message has been printed); any output file being written is dropped."""


_BOM = "\ufeff".encode()


class _Sink:
    """The binary output of a run, so that JSONL from several inputs concatenated on one stream
    stays valid: one record per line (it remembers whether the last byte written was a newline),
    and a byte-order mark only at the very start (a later input's would sit mid-stream)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.at_line_start = True
        self.started = False
        self.file_start = False

    def write(self, data: bytes) -> None:
        if self.file_start and self.started and data.startswith(_BOM):
            data = data[len(_BOM):]
        if data:
            self.f.write(data)
            self.at_line_start = data.endswith(b"\n")
            self.started = True
            self.file_start = False

    def new_file(self) -> None:
        if not self.at_line_start:
            self.write(b"\n")
        self.file_start = True


def _plan(args: argparse.Namespace, shared: bool) -> list[tuple[str, str | None]]:
    """Pair each input with its output file (``None``: the shared output stream)."""
    inputs: list[str] = args.input or ["-"]
    if "-" in inputs and len(inputs) > 1:
        raise _Usage("- (stdin) cannot be mixed with other inputs")
    out = args.output
    if shared or not out or out == "-":
        return [(i, None) for i in inputs]
    if len(inputs) > 1 or os.path.isdir(out) or out.endswith(("/", os.sep)):
        if inputs == ["-"]:
            raise _Usage(f"-o {out} is a folder: stdin has no name to write under; give a file name")
        if os.path.exists(out) and not os.path.isdir(out):
            raise _Usage(f"-o {out} is a file: several inputs need a folder")
        plan: list[tuple[str, str | None]] = [(i, os.path.join(out, os.path.basename(i))) for i in inputs]
        first: dict[str, str] = {}
        for i, o in plan:  # d1/x.jsonl and d2/x.jsonl: the second would replace the first's output
            assert o is not None
            if first.setdefault(os.path.abspath(o), i) != i:
                raise _Usage(f"{first[os.path.abspath(o)]} and {i} would both be written to {o}; "
                             "restore them in separate runs")
        os.makedirs(out, exist_ok=True)
        return plan
    return [(inputs[0], out)]


class _Usage(Exception):
    """A wrong combination of arguments (exit status 2, like argparse)."""


def _run(args: argparse.Namespace, mode: str) -> int:
    """restore (``mode`` restore, check or diff) or scan, over text files or JSONL corpora."""
    from .batch import StatsCounter, Workers

    shared = mode in ("check", "diff") or (mode == "scan" and not args.jsonl)
    try:
        plan = _plan(args, shared)
        if args.jobs < 0:
            raise _Usage("-j must be 0 (one worker per CPU) or more")
        changes_field = getattr(args, "changes_field", None)
        if changes_field is not None and (not args.jsonl or mode != "restore"):
            raise _Usage("--changes-field records what a restore of --jsonl records changed "
                         "(not with --check or --diff; for one text, use despin explain)")
        if changes_field is not None and changes_field == args.text_field:
            raise _Usage(f"--changes-field {changes_field} would overwrite the text field")
        if mode == "scan" and args.jsonl and args.report_field == args.text_field:
            raise _Usage(f"--report-field {args.report_field} would overwrite the text field")
    except _Usage as e:
        print(f"despin {args.command}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the output folder cannot be made
        print(f"despin: {args.output}: cannot create the output folder: {e.strerror or e}", file=sys.stderr)
        return 1
    outputs = [o for o in [args.output, *(out for _, out in plan)] if o and o != "-"]
    inputs = [inp for inp, _ in plan]  # any output over any input: "-o d/" with a.jsonl and d/a.jsonl
    if any(refuse_overwrite(inputs, o) for o in outputs) or refuse_overwrite(inputs, args.stats, "--stats"):
        return 1
    if args.stats == "-" and not outputs:
        print(f"despin {args.command}: error: --stats - and the output would share stdout; "
              "give -o or a --stats file", file=sys.stderr)
        return 2
    if args.stats and any(_same_file(args.stats, o) for o in outputs):
        print(f"despin {args.command}: error: --stats {args.stats} would overwrite the output", file=sys.stderr)
        return 2
    restorer = _restorer(args)
    _ = restorer.lexicon  # a bad lexicon fails here, once, before any worker starts
    counter = StatsCounter()
    found = False
    color = mode == "diff" and not args.output and _isatty(sys.stdout) and "NO_COLOR" not in os.environ
    current = ""
    try:
        with Workers(restorer, args.jobs if args.jsonl else 1) as pool, contextlib.ExitStack() as stack:
            sink = None
            if shared or not args.output or args.output == "-":
                sink = _Sink(stack.enter_context(corpus.open_output(args.output)))
            for inp, out in plan:
                current = inp
                if args.skip_existing and out is not None and os.path.exists(out):
                    print(f"despin: {out} exists; skipping {inp} (--skip-existing)", file=sys.stderr)
                    continue
                if not args.jsonl and _looks_jsonl(inp):
                    print(f"despin: {inp} looks like JSON Lines: add --jsonl to restore only its text field",
                          file=sys.stderr)
                with contextlib.ExitStack() as per_file:
                    src = per_file.enter_context(corpus.open_input(inp))
                    dst = sink if sink is not None else _Sink(per_file.enter_context(corpus.open_output(out)))
                    if args.jsonl:
                        dst.new_file()
                        found |= _jsonl_file(args, mode, src, dst, pool, counter, color)
                    else:
                        found |= _text_file(args, mode, src, dst, restorer, counter, color)
    except _Abort:
        return 1
    except (corpus.CorpusError, EOFError) as e:
        print(f"despin: {current}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        if isinstance(e, (FileNotFoundError, BrokenPipeError)):
            raise
        print(f"despin: {current}: cannot read or write: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a compression library's own error type (zstd)
        if type(e).__name__ != "ZstdError":
            raise
        print(f"despin: {current}: invalid zstd data: {e}", file=sys.stderr)
        return 1
    stats = counter.snapshot()
    if args.stats:
        try:
            _emit(args.stats, json.dumps(stats.to_dict(), indent=1) + "\n")
        except OSError as e:  # a full disk: report it like any other write failure
            print(f"despin: {args.stats}: cannot write: {e}", file=sys.stderr)
            return 1
    if stats.malformed:
        what = "kept unchanged" if args.on_error == "keep" else "skipped"
        print(f"despin: {stats.malformed} malformed line(s) {what}", file=sys.stderr)
    if mode == "check" and found:
        print(f"despin: {stats.changed_documents} of {stats.documents} document(s) would change", file=sys.stderr)
    return 1 if (mode == "check" or args.check) and found else 0


def _jsonl_file(args: argparse.Namespace, mode: str, src: corpus.Input, dst: _Sink, pool: Any,
                counter: Any, color: bool) -> bool:
    """One JSONL input: chunks of lines to the workers, results written in order."""
    from .batch import CHUNK_CHARS, chunked

    name = "<stdin>" if src.name == "-" else src.name
    threshold = args.threshold

    def jobs() -> Iterator[corpus.Job]:
        first = 1
        for lines in chunked(src.stream, len, CHUNK_CHARS):
            yield corpus.Job(name, first, lines, args.text_field, mode, getattr(args, "report_field", "despin"), color,
                             getattr(args, "changes_field", None))
            first += len(lines)

    progress = corpus.Progress(src)
    found = False
    lineno = 0
    try:
        for results in pool.map(corpus.process_jsonl, jobs()):
            for data, outcome, err, shown in results:
                lineno += 1
                if err is not None:
                    keep = _malformed(args, f"{name}:{lineno}", err, counter)
                    if keep and mode in ("restore", "scan") and data is not None:
                        dst.write(data)
                    continue
                assert outcome is not None
                counter.add(outcome)
                if data is not None:
                    dst.write(data)
                if shown:
                    dst.write(shown.encode("utf-8", "backslashreplace"))  # a lone surrogate from a JSON escape
                found |= outcome.top_flag >= threshold if mode == "scan" else outcome.changes > 0
            progress.update()
    finally:
        progress.close()
    return found


def _text_file(args: argparse.Namespace, mode: str, src: corpus.Input, dst: _Sink, restorer: Restorer,
               counter: Any, color: bool) -> bool:
    """One text file: one document."""
    from .batch import DocOutcome

    name = "<stdin>" if src.name == "-" else src.name
    text = corpus.decode_text(src.stream.read(), src.name)
    try:
        a = restorer.analyze(text)
    except TextTooLongError as e:  # handled as a malformed JSONL line is
        if _malformed(args, name, str(e), counter) and mode == "restore":
            dst.write(corpus.encode_text(text))
        return False
    counter.add(DocOutcome.of(a, len(text)))
    if mode == "restore":
        dst.write(corpus.encode_text(apply_changes(text, a.changes) if a.changes else text))
        return bool(a.changes)
    if mode == "check":
        if a.changes:
            dst.write(corpus.encode_text(corpus.check_line(name, len(a.changes))))
        return bool(a.changes)
    if mode == "diff":
        if a.changes:
            dst.write(corpus.encode_text(corpus.diff_document(name, text, a.changes, color)))
        return bool(a.changes)
    lines = []
    for f in a.flags:
        line, col = _line_col(text, f.start)
        lines.append(f"{name}:{line}:{col}: {f.reason} {f.spun!r} -> {f.restored!r} ({f.score:+.2f})\n")
    r = a.report
    lines.append(f"{name}: spin {r.spin:.2f} family {r.family or '-'} evidence {r.evidence:.1f}/100 words, "
                 f"{len(a.flags)} flags\n")
    dst.write(corpus.encode_text("".join(lines)))
    return any(f.score >= args.threshold for f in a.flags)


def _looks_jsonl(path: str) -> bool:
    name = path.lower()
    for ext in (".gz", ".gzip", ".zst", ".zstd"):
        name = name.removesuffix(ext)
    return name.endswith((".jsonl", ".ndjson"))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def cmd_restore(args: argparse.Namespace) -> int:
    mode = "check" if args.check and not args.diff else "diff" if args.diff else "restore"
    return _run(args, mode)


def cmd_scan(args: argparse.Namespace) -> int:
    return _run(args, "scan")


def refuse_overwrite(inputs: Sequence[str], output: str | None, option: str = "-o") -> bool:
    """Print why and return True when ``output`` is one of ``inputs``: no command may replace the
    text it reads."""
    for inp in inputs:
        if _same_file(inp, output):
            print(f"despin: refusing to overwrite the input {inp}; pick another {option}", file=sys.stderr)
            return True
    return False


def cmd_explain(args: argparse.Namespace) -> int:
    if refuse_overwrite([args.input], args.output):
        return 1
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


def cmd_learn(args: argparse.Namespace) -> int:
    from . import learn

    return learn.main(args)


def cmd_eval(args: argparse.Namespace) -> int:
    from . import evaluate

    return evaluate.run(args, _restorer(args))


def _expand(path: str, suffix: str) -> list[str]:
    p = Path(path)
    if p.is_dir():
        return sorted(str(x) for x in p.glob(f"*{suffix}"))
    return [path]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="despin", description="Find and reverse article-spinner substitutions.")
    parser.add_argument("--version", action="version", version=f"despin {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("restore", help="write the restored text", epilog=CORPUS_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", nargs="*", default=["-"],
                   help="text or JSONL files (.gz, .zst read compressed), or - for stdin (default)")
    p.add_argument("-o", "--output", help="output file, or folder for several inputs (default stdout); "
                   "compressed by extension; never an input; written atomically")
    p.add_argument("--check", action="store_true", help="write nothing; list what would change; exit 1 if anything")
    p.add_argument("--diff", action="store_true", help="write word-level changes ([-spun-]{+restored+}) instead")
    p.add_argument("--changes-field", metavar="NAME",
                   help="with --jsonl: add to each record a field NAME with its spin, family and every change "
                        "made (offsets into the text as read); records are then rewritten even when unchanged")
    _add_corpus(p)
    _add_common(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("scan", help="list suspicious spans as path:line:col: reason 'spun' -> 'restored' (score)",
                       epilog=CORPUS_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", nargs="*", default=["-"])
    p.add_argument("-o", "--output", help="report file (with --jsonl: JSONL file, or folder for several inputs)")
    p.add_argument("--check", action="store_true", help="exit 1 when any flag reaches the threshold")
    p.add_argument("--report-field", default="despin", metavar="NAME",
                   help="with --jsonl: field that receives each record's report (default %(default)s)")
    _add_corpus(p)
    _add_common(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("explain", help="the restored text, the changes and the flags as JSON")
    p.add_argument("input", nargs="?", default="-")
    p.add_argument("-o", "--output")
    _add_common(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("eval", help="recall/precision on gold JSON, false changes on clean JSONL, simulated spins")
    from .evaluate import add_arguments as _eval_arguments

    _eval_arguments(p)
    _add_common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("learn", help="propose lexicon rows from parallel (spun, original) texts")
    from .learn import add_arguments as _learn_arguments

    _learn_arguments(p)
    p.set_defaults(func=cmd_learn)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LexiconError as e:
        print(f"despin: lexicon error: {e}", file=sys.stderr)
        return 1
    except FileNotFoundError as e:
        what = "no such file" if e.strerror in (None, os.strerror(errno.ENOENT)) else e.strerror
        print(f"despin: {e.filename}: {what}", file=sys.stderr)
        return 1
    except _Usage as e:
        print(f"despin {args.command}: error: {e}", file=sys.stderr)
        return 2
    except TextTooLongError as e:  # explain and eval: one document, nothing to pass through
        print(f"despin: {e} (or raise --max-chars)", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader stopped early (| head); --check has listed a change by then: exit as it would
        return 1 if getattr(args, "check", False) and args.command == "restore" else 0
    except OSError as e:  # a folder given as a file, an output folder not writable
        where = f"{e.filename}: " if e.filename else ""
        print(f"despin: {where}{e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("despin: interrupted; finished output files are complete, the one being written was removed",
              file=sys.stderr)
        return 130  # 128 + SIGINT, as shells report it


if __name__ == "__main__":
    sys.exit(main())
