"""Replay changes onto the text they were computed from, verifying every span first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .types import Change


class ChangeMismatchError(ValueError):
    """A change does not fit the text: its span no longer holds its ``spun`` text, or changes
    overlap."""


def apply_changes(text: str, changes: Iterable[Change | Mapping[str, Any]]) -> str:
    """Apply ``changes`` (``Change`` records or their dicts, e.g. from ``despin explain``) to ``text``.

    Raises ``ChangeMismatchError`` when a change's span does not hold its ``spun`` text or two
    changes overlap, so that stale explanations are never applied to the wrong text.
    The result is always a plain ``str``; with no changes, ``text`` itself (no copy) when it is one.

    >>> from despin.types import Change
    >>> apply_changes("he mentioned it", [Change(3, 12, "mentioned", "said", 2.0, "spun_word", "news.tsv:1")])
    'he said it'
    """
    if not isinstance(text, str):
        raise TypeError(f"apply_changes() takes str, not {type(text).__name__}")
    recs = sorted(
        (c if isinstance(c, Change) else Change.from_dict(dict(c)) for c in changes),
        key=lambda c: (c.start, c.end),
    )
    out = []
    pos = 0
    inserted_at = -1  # two insertions at one offset have no order: refused as overlapping
    for c in recs:
        if not 0 <= c.start <= c.end <= len(text):
            raise ChangeMismatchError(f"change {c.spun!r}->{c.restored!r} at {c.start}:{c.end} is out of bounds")
        if c.start < pos or c.start == c.end == inserted_at:
            raise ChangeMismatchError(f"change at {c.start}:{c.end} overlaps the previous change")
        if c.start == c.end:
            inserted_at = c.start
        if text[c.start : c.end] != c.spun:
            raise ChangeMismatchError(
                f"text at {c.start}:{c.end} is {text[c.start:c.end]!r}, not {c.spun!r}: "
                "these changes were computed from another text"
            )
        out.append(text[pos : c.start])
        out.append(c.restored)
        pos = c.end
    out.append(text[pos:])
    return "".join(out)
