"""despin: find and reverse article-spinner synonym substitutions, and explain every change.

>>> import despin
>>> despin.restore("")
''
"""

from __future__ import annotations

import functools
from typing import Any

from .apply import ChangeMismatchError, apply_changes
from .batch import BatchStats, restore_many
from .config import Config
from .lexicon import LexiconError
from .restorer import Restorer, TextTooLongError
from .tokens import tokenize
from .types import SCORE_UNIT, Change, DocReport, Flag, ScanResult, Token

__version__ = "0.1.0"

__all__ = [
    "SCORE_UNIT",
    "BatchStats",
    "Change",
    "ChangeMismatchError",
    "Config",
    "DocReport",
    "Flag",
    "LexiconError",
    "Restorer",
    "ScanResult",
    "TextTooLongError",
    "Token",
    "__version__",
    "apply_changes",
    "restore",
    "restore_and_explain",
    "restore_many",
    "scan",
    "tokenize",
]


@functools.lru_cache(maxsize=16)
def _restorer(**options: Any) -> Restorer:
    return Restorer(**options)


def _get(options: dict[str, Any]) -> Restorer:
    for key in ("families", "lexicons", "keep"):
        if isinstance(options.get(key), list):
            options[key] = tuple(options[key])
    return _restorer(**options)


def restore(text: str, **options: Any) -> str:
    """Return ``text`` with spun words restored; options override ``Config`` fields."""
    return _get(options).restore(text)


def restore_and_explain(text: str, **options: Any) -> tuple[str, list[Change]]:
    """Return the restored text and the list of changes, each with offsets into ``text``."""
    return _get(options).restore_and_explain(text)


def scan(text: str, **options: Any) -> ScanResult:
    """Report how spun ``text`` looks and flag every suspicious span; change nothing."""
    return _get(options).scan(text)


