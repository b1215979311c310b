"""Parse, validate, compile and load the reversal lexicons.

One parser reads the shipped lexicons (``lexicons/*.tsv``, one file per spinner family) and
user-supplied ones; the format is documented in ``lexicons/README.md``. A file that has any
error raises ``LexiconError`` with ``file:line: what is wrong`` and contributes nothing: a
half-loaded lexicon would make results depend on where the error sits.

Compiled lexicons are cached per process (``load``), so workers pay the cost once, and the
shipped ones on disk (``cache_dir``), so that a fresh process does not compile them again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import re
import sys
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from .tokens import WORD_RE, normalize
from .types import Entry

T = TypeVar("T")

FORMAT_VERSION = "1"
# TSV files under lexicons/ that are not spinner families.
NOT_FAMILIES = frozenset({"keep", "MANIFEST"})
COLUMNS = ("spun", "restored", "pos", "weight", "scope", "source", "note")
POS_TAGS = frozenset("NOUN VERB ADJ ADV ADP DET PRON NUM CONJ PART PROPN".split())
SCOPES = frozenset({"any", "name"})
# Keys run to the 8 words of the names of bodies that paraphrasers rewrite ("association for
# security and collaboration in europe", in the shared tortured pairs).
MAX_WORDS = 10
# The weight multiplies prior odds; outside this range a row would override all evidence.
WEIGHT_RANGE = (0.01, 100.0)
_FAMILY_RE = re.compile(r"^[a-z0-9-]+$")
_SOURCE_DECL_RE = re.compile(r"^#\s*source\s+([A-Za-z0-9._-]+)\s*:\s*(.+)$")
_BAD_IN_RESTORED = re.compile(r"[()\[\]{}?…;]|\.\.\.")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class LexiconFile:
    """A parsed lexicon file: its family, declared sources and rows."""

    path: str
    family: str
    sources: dict[str, str]
    entries: tuple[Entry, ...]


def shipped_dir() -> Path:
    """The folder of the lexicons shipped with the package (beside this module: the package is
    read from files, never from a zip; ``importlib.resources`` cost 20 ms of every start)."""
    return Path(__file__).resolve().parent / "lexicons"


def shipped_families() -> list[str]:
    """Families available in the shipped lexicons, from the files present (never a fixed list)."""
    return sorted(p.stem for p in shipped_dir().glob("*.tsv") if p.stem not in NOT_FAMILIES)


def word_count(key: str) -> int:
    """How many matcher words a normalised key spans ("sq." is one, "side-by-side" three)."""
    return len(WORD_RE.findall(key))


def parse_file(path: str | os.PathLike[str], name: str | None = None) -> LexiconFile:
    """Parse one lexicon file, raising ``LexiconError`` on the first problem."""
    path = Path(path)
    shown = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise LexiconError(f"{shown}:0: cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise LexiconError(f"{shown}:{line}: not valid UTF-8") from None
    return parse_text(text, shown)


@dataclass(frozen=True)
class Header:
    """What a lexicon file's header block declares."""

    name: str
    family: str
    sources: dict[str, str]
    default_source: str
    columns_line: int  # 1-based line of the column line; rows follow it


def parse_header(lines: list[str], name: str) -> Header:
    """Read the header block (up to and including the column line)."""
    family = fmt = default_source = ""
    sources: dict[str, str] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("format:"):
                fmt = body.split(":", 1)[1].strip()
            elif body.startswith("family:"):
                family = body.split(":", 1)[1].strip()
                if not _FAMILY_RE.match(family):
                    raise LexiconError(f"{name}:{lineno}: bad family name {family!r} (use a-z, 0-9, -)")
            else:
                m = _SOURCE_DECL_RE.match(line)
                if m:
                    sources[m.group(1)] = m.group(2).strip()
                    default_source = default_source or m.group(1)
            continue
        cols = line.split("\t")
        if tuple(c.strip() for c in cols) != COLUMNS[: len(cols)] or len(cols) < 2:
            raise LexiconError(f"{name}:{lineno}: expected the column line 'spun<TAB>restored<TAB>pos<TAB>weight...'")
        if fmt != FORMAT_VERSION:
            raise LexiconError(f"{name}:{lineno}: missing or unknown '# format:' (expected {FORMAT_VERSION})")
        if not family:
            raise LexiconError(f"{name}:{lineno}: missing '# family: NAME' before the column line")
        return Header(name, family, sources, default_source, lineno)
    raise LexiconError(f"{name}:1: no column line: not a despin lexicon")


def parse_row(line: str, lineno: int, header: Header) -> Entry:
    """Parse and validate one row; the one row parser for shipped and user lexicons."""
    name = header.name

    def fail(msg: str) -> LexiconError:
        return LexiconError(f"{name}:{lineno}: {msg}")

    cols = line.split("\t")
    if len(cols) > len(COLUMNS):
        raise fail(f"{len(cols)} columns; at most {len(COLUMNS)}")
    cols += [""] * (len(COLUMNS) - len(cols))
    spun, restored_col, pos, weight_s, scope, source, _note = (c.strip() for c in cols)
    if not spun:
        raise fail("empty 'spun' column")
    if spun != normalize(spun):
        raise fail(f"key {spun!r} is not normalised (expected {normalize(spun)!r})")
    n = word_count(spun)
    if not 1 <= n <= MAX_WORDS:
        raise fail(f"key {spun!r} has {n} words; 1 to {MAX_WORDS} allowed")
    alts = tuple(a.strip() for a in restored_col.split("|"))
    if not restored_col or any(not a for a in alts):
        raise fail(f"empty replacement for {spun!r}")
    for a in alts:
        if _BAD_IN_RESTORED.search(a):
            raise fail(f"replacement {a!r} contains a note or bracket")
        if " ".join(a.split()) != a:
            raise fail(f"replacement {a!r} has extra white space")
        if normalize(a) == spun:
            raise fail(f"replacement {a!r} equals its key")
    if len(set(map(normalize, alts))) != len(alts):
        raise fail(f"repeated replacement in {restored_col!r}")
    if pos and pos not in POS_TAGS:
        raise fail(f"unknown part of speech {pos!r}")
    weight = 1.0
    if weight_s:
        try:
            weight = float(weight_s)
        except ValueError:
            raise fail(f"weight {weight_s!r} is not a number") from None
        if not WEIGHT_RANGE[0] <= weight <= WEIGHT_RANGE[1]:
            raise fail(f"weight {weight} outside {WEIGHT_RANGE}")
    scope = scope or "any"
    if scope not in SCOPES:
        raise fail(f"unknown scope {scope!r} (use any or name)")
    source = source or header.default_source
    if not source:
        raise fail("no source: declare '# source TAG: description; licence' in the header")
    if source not in header.sources:
        raise fail(f"source {source!r} is not declared in the header")
    return Entry(spun, alts, header.family, source, name, lineno, pos, weight, scope)


def _rows(lines: list[str], header: Header) -> Iterator[tuple[int, str]]:
    for lineno in range(header.columns_line + 1, len(lines) + 1):
        line = lines[lineno - 1]
        if line.strip() and not line.startswith("#"):
            yield lineno, line


def parse_text(text: str, name: str = "<lexicon>") -> LexiconFile:
    """Parse and validate a whole lexicon (see ``lexicons/README.md`` for the format): every row,
    and no key twice. Used for user lexicons and by the lint tests for the shipped ones."""
    lines = text.splitlines()
    header = parse_header(lines, name)
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for lineno, line in _rows(lines, header):
        e = parse_row(line, lineno, header)
        if e.spun in seen:
            raise LexiconError(f"{name}:{lineno}: duplicate key {e.spun!r} (first on line {seen[e.spun]}); "
                               "merge with '|'")
        seen[e.spun] = lineno
        entries.append(e)
    return LexiconFile(name, header.family, header.sources, tuple(entries))


def parse_keep(path: str | os.PathLike[str], strict: bool = True) -> frozenset[str]:
    """Read a keep-list (``phrase<TAB>note`` rows after a ``phrase<TAB>note`` column line; a
    user's list may also be one phrase per line). The shipped list must be written normalised
    (``strict``: the lint); a user's phrases are normalised here."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LexiconError(f"{path}:0: cannot read the keep-list: {e}") from None
    out = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("phrase\t"):
            continue
        phrase = line.split("\t", 1)[0].strip()
        if phrase != normalize(phrase):
            if strict:
                raise LexiconError(f"{path.name}:{lineno}: phrase {phrase!r} is not normalised")
            phrase = normalize(phrase)
        if phrase:
            out.add(phrase)
    return frozenset(out)


class Entries(Mapping[str, tuple[Entry, ...]]):
    """Key → rows, parsing each shipped row only when its key is first looked up.

    The shipped lexicons hold about 100k rows; parsing and validating all of them took 7 s, while
    the matcher only ever needs the rows of keys it finds. The lint tests validate every shipped row
    with the same ``parse_row``; user lexicons are validated whole when loaded.

    A shipped file is kept as one string with the offsets of its lines, and one dict locates every
    key (file and line number): the compiled lexicon is unpickled at every start, and a list of
    100k line strings plus a set of every key took 0.12 s of it, this 0.04 s.
    """

    _LINE_BITS = 24  # a location is file << 24 | line number

    def __init__(self) -> None:
        # shipped: header, text, the offset of each line, the line number of each key's row
        self._files: list[tuple[Header, str, array[int], array[int]]] = []
        self._where: dict[str, int | tuple[int, ...]] = {}  # key -> its location(s) in the shipped files
        self._parsed: dict[str, tuple[Entry, ...]] = {}
        self._extra: dict[str, list[Entry]] = defaultdict(list)

    def add_raw(self, header: Header, lines: list[str], keys: dict[str, int]) -> None:
        """A shipped file's lines, with the line number of each key's row."""
        k = len(self._files)
        text = "\n".join(lines)
        starts, at = array("I"), 0
        for line in lines:
            starts.append(at)
            at += len(line) + 1
        self._files.append((header, text, starts, array("I", keys.values())))
        where = self._where
        for key, n in keys.items():
            loc = k << self._LINE_BITS | n
            got = where.get(key)
            where[key] = loc if got is None else (*(got if isinstance(got, tuple) else (got,)), loc)

    def add_entry(self, e: Entry) -> None:
        self._extra[e.spun].append(e)
        self._parsed.pop(e.spun, None)

    def __getstate__(self) -> dict[str, Any]:
        # The parse cache is rebuilt on use and never pickled: a lexicon saved to the disk cache
        # after something had parsed every row (the spinner simulator does) made a 22 MB file,
        # not 11: every later start then took 2.7 s to warm, not 1.1, and 70 MB more.
        state = self.__dict__.copy()
        state["_parsed"] = {}
        return state

    @staticmethod
    def _line(text: str, starts: array[int], n: int) -> str:
        """Line ``n`` (from 1) of a shipped file."""
        end = starts[n] - 1 if n < len(starts) else len(text)
        return text[starts[n - 1] : end]

    def _row(self, loc: int) -> Entry:
        header, text, starts, _ = self._files[loc >> self._LINE_BITS]
        n = loc & ((1 << self._LINE_BITS) - 1)
        return parse_row(self._line(text, starts, n), n, header)

    def __getitem__(self, key: str) -> tuple[Entry, ...]:
        got = self._parsed.get(key)
        if got is None:
            where = self._where.get(key, ())
            rows = [self._row(loc) for loc in (where if isinstance(where, tuple) else (where,))]
            rows += self._extra.get(key, ())
            if not rows:
                raise KeyError(key)
            got = self._parsed[key] = tuple(rows)
        return got

    def get(self, key: str, default: Any = None) -> Any:
        """The matcher's lookup, on its hot path: no exception for the usual miss."""
        got = self._parsed.get(key)
        if got is not None:
            return got
        if key in self._where or key in self._extra:
            return self[key]
        return default

    def shipped_rows(self, family: str) -> Iterator[str]:
        """The row texts of the shipped files of ``family`` (one per key)."""
        for header, text, starts, rows in self._files:
            if header.family == family:
                yield from (self._line(text, starts, n) for n in rows)

    def __contains__(self, key: object) -> bool:
        return key in self._where or key in self._extra

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self._where).union(self._extra)))

    def __len__(self) -> int:
        return len(self._where) + sum(1 for k in self._extra if k not in self._where)


@dataclass(frozen=True)
class KeyIndex:
    """Where keys may start in text: the first word of every key with the word counts of the keys
    that start with it (longest first), and the first two words of every multi-word key (most
    words start some key of a large lexicon; few word pairs do, so the pair check saves building
    and normalising most candidate phrases)."""

    lengths: dict[str, tuple[int, ...]]
    pairs: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, keys: Iterable[str]) -> KeyIndex:
        single: set[str] = set()
        firsts: dict[str, set[int]] = defaultdict(set)
        pairs: set[tuple[str, str]] = set()
        for key in keys:
            if " " not in key and key.isalpha():
                single.add(key)  # most keys: one plain word
                continue
            words = key.split(" ") if key.replace(" ", "").isalpha() else WORD_RE.findall(key)
            firsts[words[0]].add(len(words))
            if len(words) > 1:
                pairs.add((words[0], words[1]))
        lengths: dict[str, tuple[int, ...]] = dict.fromkeys(single, (1,))
        for first, ns in firsts.items():
            lengths[first] = tuple(sorted(ns | ({1} if first in single else set()), reverse=True))
        return cls(lengths, frozenset(pairs))


def _weight(row: str) -> float:
    cols = row.split("\t", 4)
    try:
        return float(cols[3]) if len(cols) > 3 and cols[3].strip() else 1.0
    except ValueError:
        return 1.0  # the row's parser reports it when the row is used


@dataclass
class Lexicon:
    """Compiled lexicons: rows by key, a key index per family, keep phrases, forward graph.

    ``index(family)`` locates that family's keys in text (``KeyIndex``); ``gate_keys`` lists the
    keys of rows heavy enough to count as document evidence (the pre-screen counts those).
    ``rewritten(family)`` holds every word or phrase that family's spinner replaces when it meets
    it (the right-hand sides). A spun document that still contains such a
    form has probably had it put there by another rewrite (town→"city" while city→"metropolis"):
    the scorer uses this.
    """

    entries: Entries = field(default_factory=Entries)
    keep: frozenset[str] = frozenset()
    keep_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    keep_max: int = 0
    keep_words: frozenset[str] = frozenset()
    families: tuple[str, ...] = ()
    _rows: dict[str, list[str]] = field(default_factory=dict)  # family -> row texts of user lexicons
    _row_texts: dict[str, list[str]] = field(default_factory=dict)  # family -> all its row texts, once asked
    _indexes: dict[object, KeyIndex] = field(default_factory=dict)
    _rewritten: dict[str, frozenset[str]] = field(default_factory=dict)
    _derived: dict[object, object] = field(default_factory=dict)
    _cache_file: Path | None = None  # where to save this lexicon once its pre-screen is made

    def rows(self, family: str) -> list[str]:
        """The row texts of ``family`` (key, restored, pos, weight, ...), shipped and user; cut
        from the files' text on first use (not saved in the disk cache, which they would double)."""
        got = self._row_texts.get(family)
        if got is None:
            got = self._row_texts[family] = [*self.entries.shipped_rows(family), *self._rows.get(family, ())]
        return got

    def index(self, family: str | None = None) -> KeyIndex:
        """The key index of one family, or of all (``None``)."""
        got = self._indexes.get(family)
        if got is None:
            fams = self.families if family is None else (family,)
            with no_gc():
                got = KeyIndex.of(row[: row.find("\t")] for f in fams for row in self.rows(f))
            self._indexes[family] = got
        return got

    def gate_keys(self, min_weight: tuple[tuple[str, float], ...]) -> dict[str, list[str]]:
        """Each family's keys of rows at least as heavy as its minimum (``(family, weight)``
        pairs; other families count from weight 1)."""
        floors = dict(min_weight)
        out = {}
        for f in self.families:
            floor, keys = floors.get(f, 1.0), []
            weights: dict[str, float] = {}  # a few distinct weight strings: parse each once
            for row in self.rows(f):
                cols = row.split("\t", 4)
                w = cols[3] if len(cols) > 3 else ""
                weight = weights.get(w)
                if weight is None:
                    weight = weights[w] = _weight(row)
                if weight >= floor:
                    keys.append(cols[0])
            out[f] = keys
        return out

    def derived(self, key: object, make: Callable[[], T]) -> T:
        """A value computed once from this lexicon (such as the pre-screen), cached on it."""
        got = self._derived.get(key)
        if got is None:
            with no_gc():
                got = self._derived[key] = make()
            if key in PERSISTED and self._cache_file is not None:
                self._save(self._cache_file)
        return cast(T, got)

    def _save(self, path: Path) -> None:
        """Write this lexicon and its persisted derived values to the disk cache, atomically;
        a cache that cannot be written (read-only home, full disk) only costs the next start."""
        self._cache_file = None
        kept: dict[object, object] = {k: v for k, v in self._derived.items() if k in PERSISTED}
        slim = dataclasses.replace(self, _indexes={}, _derived=kept, _row_texts={}, _rewritten={})  # built when needed
        import tempfile  # noqa: PLC0415  (only the first run of each lexicon version writes)

        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_old_temps(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".despin-{os.getpid()}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(slim, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            _prune(path.parent)
        except Exception:  # noqa: BLE001  (a cache that cannot be written must never fail a restore)
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def rewritten(self, family: str) -> frozenset[str]:
        got = self._rewritten.get(family)
        if got is None:
            # right-hand sides are written normalised but for case (lint-checked), so lower() suffices
            got = frozenset(a.lower() for row in self.rows(family) for a in row.split("\t", 2)[1].split("|"))
            self._rewritten[family] = got
        return got

    def without(self, keys: set[str]) -> Lexicon:
        """A copy without the rows whose key is in ``keys`` (for k-fold evaluation)."""
        by_file: dict[str, list[Entry]] = defaultdict(list)
        for key in self.entries:
            if key not in keys:
                for e in self.entries[key]:
                    by_file[e.path].append(e)
        files = [LexiconFile(path, es[0].family, {}, tuple(es)) for path, es in by_file.items()]
        return Lexicon.build(files, (), self.keep)

    def keeping(self, phrases: Iterable[str]) -> Lexicon:
        """This lexicon with ``phrases`` as its keep-list (the rest shared, not copied). The copy
        never writes the disk cache, which must hold the shipped keep-list alone."""
        return dataclasses.replace(self, _cache_file=None, **_keep_fields(phrases))

    @classmethod
    def build(cls, files: Iterable[LexiconFile], shipped: Iterable[tuple[Header, list[str]]] = (),
              keep: Iterable[str] = ()) -> Lexicon:
        """Compile parsed files (user lexicons) and raw shipped files (header and lines, rows
        parsed on demand) into one lexicon."""
        entries = Entries()
        rows: dict[str, list[str]] = defaultdict(list)
        families: list[str] = []
        for header, lines in shipped:
            families.append(header.family)
            start = header.columns_line
            keys = {ln[: ln.find("\t")]: n for n, ln in enumerate(lines[start:], start + 1)
                    if ln and ln[0] != "#" and not ln.isspace()}
            entries.add_raw(header, lines, keys)
        for f in files:
            families.append(f.family)
            for e in f.entries:
                entries.add_entry(e)
            rows[f.family] += [f"{e.spun}\t{'|'.join(e.restored)}\t{e.pos}\t{e.weight:g}" for e in f.entries]
        return cls(entries=entries, families=tuple(dict.fromkeys(families)), _rows=dict(rows), **_keep_fields(keep))


def _keep_fields(keep: Iterable[str]) -> dict[str, Any]:
    """The keep-list fields of a ``Lexicon``: the phrases, and by first word their lengths."""
    keep_set = frozenset(keep)
    keep_lengths: dict[str, set[int]] = defaultdict(set)
    for k in keep_set:
        words = WORD_RE.findall(k)
        if words:
            keep_lengths[words[0]].add(len(words))
    return {
        "keep": keep_set,
        "keep_lengths": {k: tuple(sorted(v)) for k, v in keep_lengths.items()},
        "keep_max": max((n for v in keep_lengths.values() for n in v), default=0),
        "keep_words": frozenset(w for k in keep_set for w in WORD_RE.findall(k)),
    }


def read_shipped(family: str) -> tuple[Header, list[str]]:
    """A shipped lexicon's header and lines, unparsed."""
    p = shipped_dir() / f"{family}.tsv"
    if not p.exists():
        raise LexiconError(f"unknown lexicon family {family!r}; shipped: {', '.join(shipped_families())}")
    lines = p.read_text(encoding="utf-8").splitlines()
    return parse_header(lines, p.name), lines


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a large structure of acyclic objects is built:
    collections triggered by its allocations find nothing and cost a tenth of the load time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@functools.lru_cache(maxsize=8)
def load(families: tuple[str, ...] | None = None, extra: tuple[str, ...] = ()) -> Lexicon:
    """Load and compile shipped families (all when ``None``) plus user lexicon paths (validated
    whole: an error anywhere loads nothing), once per process for each combination.

    Shipped families alone come from the disk cache when it holds them (see ``cache_dir``)."""
    names = shipped_families() if families is None else list(families)
    cached = None if extra else _cache_path(names)
    if cached is not None:
        got = _read_cache(cached)
        if got is not None:
            return got
    shipped = [read_shipped(f) for f in names]
    user = [parse_file(p, name=str(p)) for p in extra]
    base = shipped_dir()
    keep = parse_keep(base / "keep.tsv") if (base / "keep.tsv").exists() else frozenset()
    with no_gc():
        lexicon = Lexicon.build(user, shipped, keep)
    lexicon._cache_file = cached
    return lexicon


@functools.lru_cache(maxsize=8)
def load_keeping(families: tuple[str, ...] | None, extra: tuple[str, ...], keep: tuple[str, ...]) -> Lexicon:
    """``load(families, extra)`` with the phrases of the user keep-lists ``keep`` (paths) kept
    too. A keep phrase only removes matches, so the compiled rows, the indexes and the pre-screen
    (an upper bound) are shared with the plain lexicon, and its disk cache still serves."""
    base = load(families, extra)
    if not keep:
        return base
    phrases = set(base.keep)
    for path in keep:
        phrases |= parse_keep(path, strict=False)
    return base.keeping(phrases)


# -- the disk cache of compiled shipped lexicons ----------------------------------------------
#
# Compiling the ~105k shipped rows and the pre-screen takes about 0.3 s of a 0.7 s cold start;
# unpickling the result takes about 0.1 s (measured here: build 0.11-0.2 s and screen 0.12 s
# against 0.10 s to load both from a 9 MB pickle, each file kept as one string: see Entries).
# The cache is keyed by everything the compiled value depends on: the lexicon files (name, size,
# modification time), the source of the modules that compile them, despin's and Python's
# versions; a stale or unreadable file is rebuilt.

CACHE_ENV = "DESPIN_CACHE_DIR"
# Derived values saved with the lexicon: every restore needs the pre-screen.
PERSISTED = frozenset({"screen"})
# The modules whose code shapes the cached value (the pre-screen's constants live in score and
# match).
_CACHE_CODE = ("lexicon.py", "match.py", "screen.py", "score.py", "tokens.py", "types.py")
# A temporary cache file older than this was left by a killed process.
_STALE_TEMP_S = 3600.0
# Compiled lexicons kept (newest first): each lexicon edit or despin upgrade makes a new ~10 MB
# file, and a few despin installs may share the folder.
_KEEP_FILES = 6


def cache_dir() -> Path | None:
    """Where compiled lexicons are cached: ``$DESPIN_CACHE_DIR`` (``off`` or empty: nowhere),
    else ``$XDG_CACHE_HOME/despin``, else ``~/.cache/despin``. The files are pickles: the folder
    should be writable by you alone, like the rest of your home."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "no", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "despin"


def _cache_path(names: list[str]) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    from . import __version__  # noqa: PLC0415  (the package imports this module)

    here = Path(__file__).parent
    h = hashlib.blake2b(digest_size=12)
    h.update(repr((__version__, sys.version, pickle.HIGHEST_PROTOCOL, names)).encode())
    try:
        for p in [shipped_dir() / f"{f}.tsv" for f in names] + [shipped_dir() / "keep.tsv"]:
            st = p.stat() if p.exists() else None
            h.update(f"{p.name}:{st and st.st_size}:{st and st.st_mtime_ns};".encode())
        for name in _CACHE_CODE:
            h.update((here / name).read_bytes())
    except OSError:
        return None  # no source to key on (a zipped install): compile every time
    return folder / f"lexicon-{h.hexdigest()}.pickle"


def _read_cache(path: Path) -> Lexicon | None:
    try:
        with path.open("rb") as f, no_gc():
            got = pickle.load(f)
    except Exception:  # noqa: BLE001  (missing, truncated or foreign: rebuild and overwrite it)
        return None
    if not isinstance(got, Lexicon):
        return None
    got._cache_file = None if PERSISTED <= got._derived.keys() else path
    return got


def _prune(folder: Path) -> None:
    files = []
    for p in folder.glob("lexicon-*.pickle"):
        with contextlib.suppress(OSError):
            files.append((p.stat().st_mtime, p))
    for _, p in sorted(files, reverse=True)[_KEEP_FILES:]:
        with contextlib.suppress(OSError):
            p.unlink()


def _remove_old_temps(folder: Path) -> None:
    now = time.time()
    for p in folder.glob(".despin-*.tmp"):
        with contextlib.suppress(OSError):
            if now - p.stat().st_mtime > _STALE_TEMP_S:
                p.unlink()
