"""Context models: how probable a word is after the two words before it.

The scorer only needs ``logprob(word, prev2, prev1)`` in log10, so any model can be plugged in
by implementing ``ContextModel``. Two ship:

- ``TrigramLM``: the en-us trigram LM bundled with ``pocketsphinx`` (72,547 words, 2.05M bigrams,
  1.67M trigrams, trained on transcribed speech and news: lower case, no digits, no
  punctuation). It loads in about 0.05 s and answers about 0.85M queries a second (measured here).
- ``UnigramLM``: word frequencies from ``wordfreq``, ignoring the history; the fallback when
  pocketsphinx is not importable. It can still rank candidates, but not see context.

Words are mapped to the LM's vocabulary by ``lm_word``: lower case, straight apostrophes,
small numbers spelled out ("12" → "twelve"), anything else unknown.
"""

from __future__ import annotations

import functools
import math
import os
from typing import Protocol

BOS = "<s>"
EOS = "</s>"
UNK = "<unk>"
# log10 probability charged for a word the model does not know. pocketsphinx returns about
# -536870912 (in log base 1.0001) for those, which would swamp every other term; -6.5 is a little
# below its rarest in-vocabulary unigrams (about -6.3 log10, measured on the bundled model).
OOV_LOG10 = -6.5
_LOG10_1_0001 = math.log10(1.0001)

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
    "sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_word(n: int) -> str:
    """Spell out 0–99 as the LM writes numbers ("twenty-one" is two LM words; we keep the first)."""
    if n < 20:
        return _ONES[n]
    return _TENS[n // 10] if n % 10 == 0 else _TENS[n // 10]


@functools.lru_cache(maxsize=65536)
def lm_word(token: str) -> str:
    """Map a surface token to the LM's vocabulary form."""
    w = token.lower().replace("’", "'")
    if w.isdigit():  # also true of "²" and other digits int() refuses: those are unknown words
        return number_word(int(w)) if len(w) <= 2 and w.isascii() else UNK
    return w


class ContextModel(Protocol):
    """What the scorer needs from a language model."""

    name: str

    def logprob(self, word: str, prev2: str, prev1: str) -> float:
        """log10 P(word | prev2 prev1); words in ``lm_word`` form, ``BOS`` for sentence start,
        ``""`` for no history (``prev2 == prev1 == ""`` asks for the unigram probability)."""
        ...


class TrigramLM:
    """The pocketsphinx en-us trigram model, queried (never exported: its ARPA writer truncates)."""

    name = "pocketsphinx-en-us-trigram"

    def __init__(self, path: str | None = None) -> None:
        import pocketsphinx  # noqa: PLC0415  (optional at import time: see load_model)

        if path is None:
            path = os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin")
        self._lm = pocketsphinx.NGramModel.readfile(path)

    def logprob(self, word: str, prev2: str, prev1: str) -> float:
        # No cache: a query costs about as much as a dict lookup of its key tuple, and a cache of
        # the queries of a few MB of spun text held 100 MB (benchmarks/throughput.py, peak RSS).
        if not prev1:
            query = [word]
        elif prev1 == BOS or not prev2:
            query = [word, prev1]
        else:
            query = [word, prev1, prev2]
        raw = self._lm.prob(query)
        return OOV_LOG10 if raw < -100_000_000 else max(raw * _LOG10_1_0001, OOV_LOG10)

    def __reduce__(self) -> tuple[type, tuple[()]]:
        # Workers reload the model file instead of pickling 30 MB of tables.
        return (TrigramLM, ())


class UnigramLM:
    """wordfreq unigram frequencies: the fallback when pocketsphinx is unavailable."""

    name = "wordfreq-unigram"

    def __init__(self) -> None:
        from wordfreq import get_frequency_dict  # noqa: PLC0415

        self._freq = get_frequency_dict("en")

    def logprob(self, word: str, prev2: str, prev1: str) -> float:
        if word == EOS:
            return -1.0
        f = self._freq.get(word)
        return math.log10(f) if f else OOV_LOG10

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (UnigramLM, ())


class Memo:
    """A context model that remembers its answers for one document.

    Scoring asks the same trigram many times within a document (the evidence, each row's
    candidates, the joint decoding and the flags share their contexts): over the 16 shared spun
    pages half of the queries repeat, so this halves the model's work. It lives for one document
    only; a process-wide cache held 100 MB after a few MB of text (see TrigramLM.logprob)."""

    def __init__(self, lm: ContextModel) -> None:
        self._lm = lm
        self.name = lm.name
        self._seen: dict[tuple[str, str, str], float] = {}

    def logprob(self, word: str, prev2: str, prev1: str) -> float:
        key = (word, prev2, prev1)
        got = self._seen.get(key)
        if got is None:
            got = self._seen[key] = self._lm.logprob(word, prev2, prev1)
        return got


MODELS = ("trigram", "unigram")


@functools.lru_cache(maxsize=2)
def load_model(name: str = "trigram") -> ContextModel:
    """The shared model for this process: ``trigram`` (falls back to ``unigram`` when
    pocketsphinx cannot be imported) or ``unigram``."""
    if name == "trigram":
        try:
            return TrigramLM()
        except ImportError:
            return UnigramLM()
    if name == "unigram":
        return UnigramLM()
    raise ValueError(f"unknown context model {name!r}; use one of {', '.join(MODELS)}")
