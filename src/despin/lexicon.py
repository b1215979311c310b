"""Parse, validate, compile and load the reversal lexicons.

One parser reads the shipped lexicons (``lexicons/*.tsv``, one file per spinner family) and
user-supplied ones; the format is documented in ``lexicons/README.md``. A file that has any
error raises ``LexiconError`` with ``file:line: what is wrong`` and contributes nothing: a
half-loaded lexicon would make results depend on where the error sits.

Compiled lexicons are cached per process (``load``), so workers pay the cost once.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .tokens import WORD_RE, normalize
from .types import Entry

FORMAT_VERSION = "1"
COLUMNS = ("spun", "restored", "pos", "weight", "scope", "source", "note")
POS_TAGS = frozenset("NOUN VERB ADJ ADV ADP DET PRON NUM CONJ PART PROPN".split())
SCOPES = frozenset({"any", "name"})
MAX_WORDS = 6
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
    """The folder of the lexicons shipped with the package."""
    return Path(str(resources.files("despin") / "lexicons"))


def shipped_families() -> list[str]:
    """Families available in the shipped lexicons, from the files present (never a fixed list)."""
    return sorted(p.stem for p in shipped_dir().glob("*.tsv") if p.stem != "keep")


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


def parse_text(text: str, name: str = "<lexicon>") -> LexiconFile:
    """Parse lexicon text (see ``lexicons/README.md`` for the format)."""
    family = ""
    fmt = ""
    sources: dict[str, str] = {}
    default_source = ""
    have_columns = False
    entries: list[Entry] = []
    seen: dict[str, int] = {}

    def fail(lineno: int, msg: str) -> LexiconError:
        return LexiconError(f"{name}:{lineno}: {msg}")

    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("format:"):
                fmt = body.split(":", 1)[1].strip()
            elif body.startswith("family:"):
                family = body.split(":", 1)[1].strip()
                if not _FAMILY_RE.match(family):
                    raise fail(lineno, f"bad family name {family!r} (use a-z, 0-9, -)")
            else:
                m = _SOURCE_DECL_RE.match(line)
                if m:
                    sources[m.group(1)] = m.group(2).strip()
                    default_source = default_source or m.group(1)
            continue
        cols = line.split("\t")
        if not have_columns:
            if tuple(c.strip() for c in cols) != COLUMNS[: len(cols)] or len(cols) < 2:
                raise fail(lineno, "expected the column line 'spun<TAB>restored<TAB>pos<TAB>weight...'")
            if fmt != FORMAT_VERSION:
                raise fail(lineno, f"missing or unknown '# format:' (expected {FORMAT_VERSION})")
            if not family:
                raise fail(lineno, "missing '# family: NAME' before the column line")
            have_columns = True
            continue
        if len(cols) > len(COLUMNS):
            raise fail(lineno, f"{len(cols)} columns; at most {len(COLUMNS)}")
        cols += [""] * (len(COLUMNS) - len(cols))
        spun, restored_col, pos, weight_s, scope, source, _note = (c.strip() for c in cols)
        if not spun:
            raise fail(lineno, "empty 'spun' column")
        if spun != normalize(spun):
            raise fail(lineno, f"key {spun!r} is not normalised (expected {normalize(spun)!r})")
        n = word_count(spun)
        if not 1 <= n <= MAX_WORDS:
            raise fail(lineno, f"key {spun!r} has {n} words; 1 to {MAX_WORDS} allowed")
        if spun in seen:
            raise fail(lineno, f"duplicate key {spun!r} (first on line {seen[spun]}); merge with '|'")
        seen[spun] = lineno
        alts = tuple(a.strip() for a in restored_col.split("|"))
        if not restored_col or any(not a for a in alts):
            raise fail(lineno, f"empty replacement for {spun!r}")
        for a in alts:
            if _BAD_IN_RESTORED.search(a):
                raise fail(lineno, f"replacement {a!r} contains a note or bracket")
            if " ".join(a.split()) != a:
                raise fail(lineno, f"replacement {a!r} has extra white space")
            if normalize(a) == spun:
                raise fail(lineno, f"replacement {a!r} equals its key")
        if len(set(map(normalize, alts))) != len(alts):
            raise fail(lineno, f"repeated replacement in {restored_col!r}")
        if pos and pos not in POS_TAGS:
            raise fail(lineno, f"unknown part of speech {pos!r}")
        weight = 1.0
        if weight_s:
            try:
                weight = float(weight_s)
            except ValueError:
                raise fail(lineno, f"weight {weight_s!r} is not a number") from None
            if not WEIGHT_RANGE[0] <= weight <= WEIGHT_RANGE[1]:
                raise fail(lineno, f"weight {weight} outside {WEIGHT_RANGE}")
        scope = scope or "any"
        if scope not in SCOPES:
            raise fail(lineno, f"unknown scope {scope!r} (use any or name)")
        source = source or default_source
        if not source:
            raise fail(lineno, "no source: declare '# source TAG: description; licence' in the header")
        if source not in sources:
            raise fail(lineno, f"source {source!r} is not declared in the header")
        entries.append(Entry(spun, alts, family, source, name, lineno, pos, weight, scope))
    if not have_columns:
        raise LexiconError(f"{name}:1: no column line: not a despin lexicon")
    return LexiconFile(name, family, sources, tuple(entries))


def parse_keep(path: str | os.PathLike[str]) -> frozenset[str]:
    """Read a keep-list (``phrase<TAB>note`` rows) into normalised phrases."""
    path = Path(path)
    out = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or (lineno and line.startswith("phrase\t")):
            continue
        phrase = line.split("\t", 1)[0].strip()
        if phrase != normalize(phrase):
            raise LexiconError(f"{path.name}:{lineno}: phrase {phrase!r} is not normalised")
        out.add(phrase)
    return frozenset(out)


@dataclass
class Lexicon:
    """Compiled lexicons: keys by first word and length, keep phrases, and the forward graph.

    ``lengths`` maps each spelling of a key's first word (see ``_case_variants``) to the word
    counts of the keys that start with it, longest first. ``rewritten`` holds, per family, every
    word or phrase the spinner replaces when it meets it (the right-hand sides). A spun document
    that still contains such a form has probably had it put there by another rewrite
    (town→"city" while city→"metropolis"): the scorer uses this.
    """

    entries: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()
    keep_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    keep_max: int = 0
    rewritten: dict[str, frozenset[str]] = field(default_factory=dict)
    families: tuple[str, ...] = ()

    def without(self, keys: set[str]) -> Lexicon:
        """A copy without the rows whose key is in ``keys`` (for k-fold evaluation)."""
        by_file: dict[str, list[Entry]] = defaultdict(list)
        for key, entries in self.entries.items():
            if key not in keys:
                for e in entries:
                    by_file[e.path].append(e)
        files = [LexiconFile(path, es[0].family, {}, tuple(es)) for path, es in by_file.items()]
        return Lexicon.build(files, self.keep)

    @classmethod
    def build(cls, files: Iterable[LexiconFile], keep: Iterable[str] = ()) -> Lexicon:
        entries: dict[str, list[Entry]] = defaultdict(list)
        lengths: dict[str, set[int]] = defaultdict(set)
        rewritten: dict[str, set[str]] = defaultdict(set)
        families = []
        for f in files:
            families.append(f.family)
            for e in f.entries:
                entries[e.spun].append(e)
                first = WORD_RE.findall(e.spun)[0]
                for variant in _case_variants(first):
                    lengths[variant].add(word_count(e.spun))
                rewritten[e.family].update(normalize(a) for a in e.restored)
        keep_set = frozenset(keep)
        keep_lengths: dict[str, set[int]] = defaultdict(set)
        for k in keep_set:
            words = WORD_RE.findall(k)
            if words:
                keep_lengths[words[0]].add(len(words))
        return cls(
            entries={k: tuple(v) for k, v in entries.items()},
            lengths={k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
            keep=keep_set,
            keep_lengths={k: tuple(sorted(v)) for k, v in keep_lengths.items()},
            keep_max=max((n for v in keep_lengths.values() for n in v), default=0),
            rewritten={k: frozenset(v) for k, v in rewritten.items()},
            families=tuple(dict.fromkeys(families)),
        )


def _case_variants(word: str) -> set[str]:
    """The spellings of a key's first word that the matcher looks up directly, so that it never
    has to lower-case every word of a document: lower, Capitalised, UPPER, with either apostrophe."""
    forms = {word, word[:1].upper() + word[1:], word.upper()}
    return forms | {f.replace("'", "’") for f in forms}


@functools.lru_cache(maxsize=8)
def load(families: tuple[str, ...] | None = None, extra: tuple[str, ...] = ()) -> Lexicon:
    """Load and compile shipped families (all when ``None``) plus user lexicon paths, once per
    process for each combination."""
    base = shipped_dir()
    names = shipped_families() if families is None else list(families)
    files = []
    for fam in names:
        p = base / f"{fam}.tsv"
        if not p.exists():
            raise LexiconError(f"unknown lexicon family {fam!r}; shipped: {', '.join(shipped_families())}")
        files.append(parse_file(p))
    files += [parse_file(p, name=str(p)) for p in extra]
    keep = parse_keep(base / "keep.tsv") if (base / "keep.tsv").exists() else frozenset()
    return Lexicon.build(files, keep)
