"""Records passed between the pipeline stages, in one place.

All offsets are Python ``str`` indices into the input text, half-open: ``text[start:end]``.
All records are immutable, so a result can be cached, shared between threads and pickled.

The score unit is stated once here and used everywhere: **log10 odds that the author wrote
``restored`` rather than ``spun``**. A score of 0 means even odds; +1 means 10:1 for the
restoration; -1 means 10:1 against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCORE_UNIT = "log10 odds that the author wrote `restored`"


@dataclass(frozen=True, slots=True)
class Token:
    """One token of the input: ``kind`` is ``word``, ``number``, ``space``, ``punct`` or
    ``protected`` (URLs, e-mail addresses, handles and code, which despin never changes)."""

    text: str
    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon row: a spun phrase and the originals it may stand for."""

    spun: str
    restored: tuple[str, ...]
    family: str
    source: str
    path: str
    line: int
    pos: str = ""
    weight: float = 1.0
    scope: str = "any"

    @property
    def where(self) -> str:
        """``file:line`` of the row, for explanations (a rule's row: the rule's name, line 0)."""
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Flag:
    """A span that looks spun, with every candidate considered.

    ``score`` is that of the best candidate (see ``SCORE_UNIT``); ``restored`` is that candidate.
    Flags below the restore threshold are reported by ``scan`` but not applied by ``restore``.
    """

    start: int
    end: int
    spun: str
    restored: str
    candidates: tuple[str, ...]
    score: float
    reason: str
    source: str
    family: str


@dataclass(frozen=True, slots=True)
class Change:
    """One replacement applied by ``restore``: ``text[start:end] == spun`` becomes ``restored``.

    ``reason`` is a stable snake_case code (see ``despin.score.REASONS``); ``source`` is the
    lexicon file and line of the row that proposed it (``news.tsv:120``), or a rule name for
    changes made by a rule (``rule:a_an``).
    """

    start: int
    end: int
    spun: str
    restored: str
    score: float
    reason: str
    source: str
    family: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Change:
        """A change from its dict (``to_dict``, ``despin explain``, ``--changes-field``); an edit
        written by hand needs only ``start``, ``end``, ``spun`` and ``restored``."""
        missing = [k for k in ("start", "end", "spun", "restored") if k not in d]
        if missing:
            raise ValueError(f"a change needs {', '.join(missing)}: {d!r}")
        return cls(**{"score": 0.0, "reason": "", "source": "",
                      **{k: d[k] for k in cls.__dataclass_fields__ if k in d}})


@dataclass(frozen=True, slots=True)
class DocReport:
    """How spun a document looks.

    ``spin`` is the probability (0..1) that the document was spun; ``family`` the spinner family
    with the most evidence (``""`` when none); ``paragraphs`` one spin probability per paragraph
    (paragraphs are separated by blank lines); ``evidence`` the count of strong hits per 100 words;
    ``words`` the document's length in the unit of that density, runs of ASCII letters and digits
    ("U.S." counts two, a word in another script none: see ``screen.fast_tokens``). A document that
    no family's gate can open reports spin 0, no family and evidence 0.
    """

    spin: float
    family: str
    evidence: float
    words: int
    paragraphs: tuple[float, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What ``scan`` returns: the document report and every flag, in text order."""

    report: DocReport
    flags: tuple[Flag, ...]
