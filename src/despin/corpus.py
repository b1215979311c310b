"""Corpus I/O for the command line: compressed files and stdin, JSONL records, word-level diffs.

- **Compression**: ``.gz`` and ``.zst``/``.zstd`` files are read and written compressed, chosen by
  the file's extension; input without such an extension (stdin above all) is recognised by its
  first bytes (gzip ``1f 8b``, zstd ``28 b5 2f fd``). zstd needs the ``zstandard`` package
  (``pip install 'despin[corpus]'``). Output to stdout is never compressed. gzip output is
  written with no name and a zero time stamp, so the same input gives the same bytes.
- **Atomic output**: a file is written to a temporary file in the same folder and renamed into
  place when complete, so a failed or interrupted run never leaves a truncated file, and an
  existing output is always a finished one (``--skip-existing`` relies on this).
- **JSONL records** are edited in place: only the bytes of the text field's value are rewritten
  (every other field keeps its bytes, its order and its formatting), and a record that nothing
  changes is written back byte for byte. A line that is not a JSON object with a string in the
  text field is malformed: it is reported with its line number and the caller decides (keep it
  unchanged, skip it, or stop).

The functions that do the work per chunk of lines (``process_jsonl``) run in worker processes,
so they take and return only small picklable values.
"""

from __future__ import annotations

import dataclasses
import errno
import io
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, cast

from .apply import apply_changes
from .batch import DocOutcome
from .lexicon import LexiconError
from .restorer import Analysis, Restorer
from .types import Change

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_LEVEL = 6  # zlib's default: level 9 is about twice as slow for 1-2% smaller text files
ZSTD_LEVEL = 3  # zstd's default
ZSTD_HINT = "zstd files need the zstandard package: pip install 'despin[corpus]'"


class CorpusError(Exception):
    """An input that cannot be read as asked (bad compression, a missing optional package)."""


def compression_of(path: str) -> str:
    """``"gzip"``, ``"zstd"`` or ``""`` from a file name's extension."""
    low = path.lower()
    if low.endswith((".gz", ".gzip")):
        return "gzip"
    if low.endswith((".zst", ".zstd")):
        return "zstd"
    return ""


def _zstandard() -> Any:
    try:
        import zstandard
    except ImportError:
        raise CorpusError(ZSTD_HINT) from None
    return zstandard


class _Prefixed(io.RawIOBase):
    """A raw stream that yields ``prefix`` and then the rest of ``stream`` (after sniffing)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)


@dataclass
class Input:
    """An open input: ``stream`` yields the decompressed bytes; ``position()`` and ``size`` are in
    bytes of the file as stored (for a progress bar); ``size`` is ``None`` for stdin."""

    name: str
    stream: BinaryIO
    raw: BinaryIO
    size: int | None

    def position(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0


def _decompressed(raw: BinaryIO, kind: str) -> BinaryIO:
    if kind == "gzip":
        import gzip

        return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
    if kind == "zstd":
        return cast(BinaryIO, io.BufferedReader(_ZstdReader(raw, _zstandard()), 1 << 16))
    return raw


class _ZstdReader(io.RawIOBase):
    """zstd frames one after another, decompressed; a file that ends inside a frame raises
    ``CorpusError`` (zstandard's ``stream_reader`` silently returns the truncated data)."""

    def __init__(self, raw: BinaryIO, zstandard: Any) -> None:
        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._obj: Any = None  # the decompressor of the current frame
        self._pending = b""  # input after the end of a frame: the next frame's start
        self._out = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._out:
            data, self._pending = self._pending, b""
            if not data:
                data = self._raw.read(1 << 16)
            if not data:
                if self._obj is not None and not self._obj.eof:
                    raise CorpusError("truncated zstd data: the file ends inside a frame")
                return 0
            if self._obj is None or self._obj.eof:
                self._obj = self._dctx.decompressobj()
            self._out = memoryview(self._obj.decompress(data))
            if self._obj.eof:
                self._pending = self._obj.unused_data
        n = min(len(b), len(self._out))
        b[:n] = self._out[:n]
        self._out = self._out[n:]
        return n


@contextmanager
def open_input(path: str) -> Iterator[Input]:
    """Open ``path`` (``-``: stdin) for reading, decompressing by extension or by magic bytes."""
    if path == "-":
        raw: BinaryIO = sys.stdin.buffer
        size = None
    else:
        raw = open(path, "rb")  # noqa: SIM115 (closed below)
        size = os.fstat(raw.fileno()).st_size
    try:
        kind = compression_of(path) if path != "-" else ""
        stream = raw
        if not kind:
            head = raw.read(4)
            if head.startswith(GZIP_MAGIC):
                kind = "gzip"
            elif head == ZSTD_MAGIC:
                kind = "zstd"
            stream = cast(BinaryIO, io.BufferedReader(_Prefixed(head, raw), 1 << 16))
        yield Input(path, _decompressed(stream, kind), raw, size)
    finally:
        if path != "-":
            raw.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_TEMP_RE = re.compile(r"\.despin-(\d+)-[^/]*\.tmp\Z")


def _remove_stale(folder: str) -> None:
    """Remove the temporary files that killed despin runs left in ``folder`` (SIGKILL allows no
    clean-up): those whose writer, named by the process id in the file name, no longer runs. A
    file of a live process, or of a process id since reused, is left alone."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".despin-")]
    except OSError:
        return
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None or _alive(int(m.group(1))):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass  # another run removed it, or the folder is read-only: harmless


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


@contextmanager
def atomic_file(path: str) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only when the block finishes without an error (a
    temporary file in the same folder, then a rename); its mode follows the umask.

    A symbolic link is written through: the file it points to is replaced and the link stays.
    A path that exists and is no regular file (``/dev/stdout``, ``/dev/null``, a named pipe) is
    written in place, as it cannot be replaced: renaming over it replaced the device itself."""
    try:
        kind = os.stat(path).st_mode  # follows links
    except OSError:
        kind = None
    if kind is not None and not stat.S_ISREG(kind) and not stat.S_ISDIR(kind):
        with open(path, "wb") as f:
            yield f
        return
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):  # name the output the user gave, not the temporary file
        raise FileNotFoundError(errno.ENOENT, f"no folder {folder} to write {path} in", path)
    _remove_stale(folder)
    fd, tmp = tempfile.mkstemp(prefix=f".despin-{os.getpid()}-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextmanager
def open_output(path: str | None) -> Iterator[BinaryIO]:
    """Where output goes: stdout (``None`` or ``-``, never compressed), or ``path`` written
    atomically and compressed by its extension."""
    if not path or path == "-":
        sys.stdout.flush()  # anything already printed as text comes first
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    kind = compression_of(path)
    zstd = _zstandard() if kind == "zstd" else None  # fail before creating any file
    with atomic_file(path) as f:
        if kind == "gzip":
            import gzip

            with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=GZIP_LEVEL, mtime=0) as gz:
                yield cast(BinaryIO, gz)
        elif zstd is not None:
            with zstd.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(f, closefd=False) as zw:
                yield zw
        else:
            yield f


def decode_text(data: bytes, name: str, *, lossless: bool = True) -> str:
    """UTF-8 text, with a warning naming the first bad line where some bytes are not UTF-8.

    ``lossless``: each undecodable byte becomes a lone surrogate (Python's ``surrogateescape``),
    which no lexicon key contains and ``encode_text`` writes back as the same byte, so a restored
    file differs from its input only where despin changed words. Otherwise (reports, such as
    ``explain``'s JSON, that must be valid UTF-8) such bytes become U+FFFD."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        what = "passed through unchanged" if lossless else "replaced with U+FFFD"
        print(f"despin: {name}:{line}: invalid UTF-8; undecodable bytes {what}", file=sys.stderr)
        return data.decode("utf-8", errors="surrogateescape" if lossless else "replace")


def encode_text(text: str) -> bytes:
    """The bytes of a text that ``decode_text`` read: its undecodable bytes as they were."""
    return text.encode("utf-8", errors="surrogateescape")


# -- JSON objects edited in place -------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
# The C string scanner behind json.loads: (decoded string, index after its closing quote).
scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_DECODER = json.JSONDecoder()


class Malformed(ValueError):
    """A JSONL line that cannot be processed; the message says why (without the line number)."""


@dataclass
class JsonObject:
    """A JSON object parsed with the offsets of each top-level value in its source ``line``."""

    line: str
    values: dict[str, Any]
    spans: dict[str, tuple[int, int]]
    last_end: int  # end of the last value (or just after "{" when empty)
    key_sep: str = ": "
    item_sep: str = ", "

    def replace(self, key: str, new: str) -> str:
        """The line with the value of ``key`` replaced by the JSON text ``new`` (appended as the
        last member when the key is absent), every other byte as it was."""
        return self.replace_all({key: new})

    def replace_all(self, new: dict[str, str]) -> str:
        """``replace`` for several keys at once: the absent ones appended in order, then the
        present ones replaced from the right, so that no edit moves another's offsets."""
        line = self.line
        absent = [k for k in new if k not in self.spans]
        if absent:
            members = [json.dumps(k, ensure_ascii=self.line.isascii()) + self.key_sep + new[k] for k in absent]
            joined = ("," + self.item_sep[1:]).join(members)
            if self.spans:
                joined = "," + self.item_sep[1:] + joined
            line = line[: self.last_end] + joined + line[self.last_end :]
        for k in sorted((k for k in new if k in self.spans), key=lambda k: self.spans[k][0], reverse=True):
            s, e = self.spans[k]
            line = line[:s] + new[k] + line[e:]
        return line

    def dumps(self, value: Any) -> str:
        """``value`` as JSON in this line's style (escaped non-ASCII when the line is pure ASCII)."""
        return json.dumps(value, ensure_ascii=self.line.isascii(),
                          separators=(self.item_sep, self.key_sep))


def parse_object(line: str) -> JsonObject:
    """Parse one JSON object, keeping where each top-level value sits. Raises ``Malformed``.

    >>> o = parse_object('{"id": 7, "text": "he mentioned it"}')
    >>> o.values["text"], o.spans["text"]
    ('he mentioned it', (18, 35))
    >>> o.replace("text", o.dumps("he said it"))
    '{"id": 7, "text": "he said it"}'
    """
    try:
        i = _WS.match(line).end()  # type: ignore[union-attr]
        if line[i : i + 1] != "{":
            json.loads(line)  # a JSON error, if the line is not JSON at all
            raise Malformed("not a JSON object")
        obj = JsonObject(line, {}, {}, i + 1)
        i = _WS.match(line, i + 1).end()  # type: ignore[union-attr]
        if line[i : i + 1] == "}":
            close = i
        else:
            first = True
            while True:
                if line[i : i + 1] != '"':
                    raise ValueError
                key, i = scanstring(line, i + 1)
                j = _WS.match(line, i).end()  # type: ignore[union-attr]
                if line[j : j + 1] != ":":
                    raise ValueError
                k = _WS.match(line, j + 1).end()  # type: ignore[union-attr]
                if first:
                    obj.key_sep = line[i:k]
                value, end = _DECODER.raw_decode(line, k)
                obj.values[key] = value
                obj.spans[key] = (k, end)
                obj.last_end = end
                i = _WS.match(line, end).end()  # type: ignore[union-attr]
                c = line[i : i + 1]
                if c == ",":
                    k = _WS.match(line, i + 1).end()  # type: ignore[union-attr]
                    if first:
                        obj.item_sep = line[i:k]
                    first = False
                    i = k
                    continue
                if c != "}":
                    raise ValueError
                close = i
                break
        if line[close + 1 :].strip(" \t\n\r"):
            raise ValueError
        return obj
    except Malformed:
        raise
    except RecursionError:  # valid JSON nested deeper than Python's parser goes: "[" * 100_000
        raise Malformed("JSON nested too deeply to parse") from None
    except (ValueError, IndexError):
        try:
            json.loads(line)
        except json.JSONDecodeError as e:
            raise Malformed(f"invalid JSON: {e.msg} (column {e.colno})") from None
        except RecursionError:
            raise Malformed("JSON nested too deeply to parse") from None
        raise Malformed("invalid JSON") from None


def _split_eol(raw: bytes) -> tuple[bytes, bytes]:
    if raw.endswith(b"\r\n"):
        return raw[:-2], b"\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], b"\n"
    return raw, b""


def read_record(raw: bytes, field: str, lineno: int) -> tuple[JsonObject, str, str, bytes]:
    """Decode and parse one JSONL line: (object, text of ``field``, BOM prefix, line ending)."""
    body, eol = _split_eol(raw)
    try:
        line = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Malformed(f"invalid UTF-8 at byte {e.start + 1}") from None
    bom = ""
    if lineno == 1 and line.startswith("\ufeff"):
        bom, line = "\ufeff", line[1:]
    if not line.strip(" \t\r\n"):
        raise Malformed("empty line")
    obj = parse_object(line)
    if field not in obj.values:
        raise Malformed(f"no field {field!r}")
    text = obj.values[field]
    if not isinstance(text, str):
        raise Malformed(f"field {field!r} is {type(text).__name__ if text is not None else 'null'}, not a string")
    return obj, text, bom, eol


# -- work on chunks of lines (runs in worker processes) ---------------------------------------


@dataclass(frozen=True)
class Job:
    """A chunk of JSONL lines and what to do with them.

    ``mode``: ``restore`` (rewrite the text field; with ``changes_field``, also record the
    changes made), ``scan`` (add a report field, text unchanged), ``check`` (only count),
    ``diff`` (render word-level changes).
    """

    name: str
    first_line: int
    lines: Sequence[bytes]
    field: str = "text"
    mode: str = "restore"
    report_field: str = "despin"
    color: bool = False
    changes_field: str | None = None


# One result per line: (output bytes, or the line as read when it is malformed, or None when the
# mode writes no records; outcome or None; error message or None; text to show: a diff or a check
# line, or None). Plain tuples pickle fastest.
LineResult = tuple[bytes | None, DocOutcome | None, str | None, str | None]


def changes_of(a: Analysis) -> dict[str, Any]:
    """What ``restore --jsonl --changes-field`` records: the document's spin and family and each
    change made, with offsets into the text as read (``apply_changes`` on that text redoes them)."""
    r = a.report
    return {"spin": r.spin, "family": r.family, "changes": [c.to_dict() for c in a.changes]}


def report_of(a: Analysis) -> dict[str, Any]:
    """The per-document report that ``scan --jsonl`` adds (offsets index the text field)."""
    r = a.report
    return {"spin": r.spin, "family": r.family, "evidence": r.evidence, "words": r.words,
            "changes": len(a.changes), "flags": [dataclasses.asdict(f) for f in a.flags]}


def process_jsonl(restorer: Restorer, job: Job) -> list[LineResult]:
    """Process every line of ``job``; malformed lines come back with an error and no output."""
    out: list[LineResult] = []
    for n, raw in enumerate(job.lines, job.first_line):
        try:
            obj, text, bom, eol = read_record(raw, job.field, n)
            a = restorer.analyze(text, flags=job.mode == "scan")  # only a scan reports flags
        except LexiconError:
            raise
        except (Malformed, ValueError, TypeError) as e:
            msg = str(e) if isinstance(e, Malformed) else f"cannot restore: {e}"
            out.append((raw, None, msg, None))
            continue
        outcome = DocOutcome.of(a, len(text))
        if job.mode == "restore":
            edits: dict[str, Any] = {}
            if a.changes:
                edits[job.field] = apply_changes(text, a.changes)
            if job.changes_field:
                edits[job.changes_field] = changes_of(a)
            out.append((_edited(obj, edits, bom, eol) if edits else raw, outcome, None, None))
        elif job.mode == "scan":
            out.append((_edited(obj, {job.report_field: report_of(a)}, bom, eol), outcome, None, None))
        elif job.mode == "diff":
            shown = diff_document(f"{job.name}:{n}", text, a.changes, job.color) if a.changes else None
            out.append((None, outcome, None, shown))
        else:  # check
            shown = f"{job.name}:{n}: would change {_spans(len(a.changes))}\n" if a.changes else None
            out.append((None, outcome, None, shown))
    return out


def _edited(obj: JsonObject, values: dict[str, Any], bom: str, eol: bytes) -> bytes:
    """The record's line with each key of ``values`` set to its value, as UTF-8 bytes."""
    line = obj.replace_all({k: obj.dumps(v) for k, v in values.items()})
    try:
        return (bom + line).encode("utf-8") + eol
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the input): keep it escaped
        seps = (obj.item_sep, obj.key_sep)
        line = obj.replace_all({k: json.dumps(v, ensure_ascii=True, separators=seps) for k, v in values.items()})
        return (bom + line).encode("utf-8") + eol


def _spans(n: int) -> str:
    return f"{n} span" if n == 1 else f"{n} spans"


def check_line(name: str, changes: int) -> str:
    return f"{name}: would change {_spans(changes)}\n"


# -- word-level diffs --------------------------------------------------------------------------

_RED, _GREEN, _BOLD, _RESET = "\033[31m", "\033[32m", "\033[1m", "\033[0m"


def diff_document(title: str, text: str, changes: Sequence[Change], color: bool = False) -> str:
    """Each line of ``text`` that changes, with ``[-spun-]{+restored+}`` marks (``git diff
    --word-diff`` style), under a ``--- title`` header and an ``@@ line N @@`` per line.

    >>> from despin.types import Change
    >>> c = Change(5, 14, "mentioned", "said", 2.0, "spun_word", "news.tsv:1")
    >>> print(diff_document("x.txt", "a\\nhe mentioned it\\n", [c]), end="")
    --- x.txt (1 change)
    @@ line 2 @@
    he [-mentioned-]{+said+} it
    """
    n = len(changes)
    head = f"--- {title} ({n} change{'s' if n != 1 else ''})"
    parts = [(_BOLD + head + _RESET) if color else head, "\n"]
    by_line: dict[int, list[Change]] = {}
    for c in sorted(changes, key=lambda c: c.start):
        by_line.setdefault(text.count("\n", 0, c.start), []).append(c)
    for line_index, cs in by_line.items():
        start = text.rfind("\n", 0, cs[0].start) + 1
        end = text.find("\n", cs[-1].end)
        end = len(text) if end == -1 else end
        parts.append(f"@@ line {line_index + 1} @@\n")
        pos = start
        for c in cs:
            parts.append(text[pos : c.start])
            if color:
                parts.append(f"{_RED}[-{c.spun}-]{_RESET}{_GREEN}{{+{c.restored}+}}{_RESET}")
            else:
                parts.append(f"[-{c.spun}-]{{+{c.restored}+}}")
            pos = c.end
        parts.append(text[pos:end])
        parts.append("\n")
    return "".join(parts)


# -- progress bar --------------------------------------------------------------------------------


class Progress:
    """A tqdm bar over the bytes of an input, shown only when ``stream`` (stderr) is a terminal
    and tqdm is installed; otherwise it does nothing."""

    def __init__(self, inp: Input, stream: IO[str] | None = None) -> None:
        stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._inp = inp
        self._last = 0
        if not _isatty(stream):
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(total=inp.size, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=os.path.basename(inp.name) if inp.name != "-" else "<stdin>",
                         file=stream, dynamic_ncols=True, leave=True)

    @property
    def active(self) -> bool:
        return self._bar is not None

    def update(self) -> None:
        if self._bar is not None:
            pos = self._inp.position()
            if pos > self._last:
                self._bar.update(pos - self._last)
                self._last = pos

    def close(self) -> None:
        if self._bar is not None:
            if self._inp.size is not None and self._last < self._inp.size:
                self._bar.update(self._inp.size - self._last)
            self._bar.close()
            self._bar = None


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
