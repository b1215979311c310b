"""Evidence that a span was spun: lexicon prior, context-model gain, document evidence.

Everything is combined in one unit, **log10 odds that the author wrote the restoration**
(``types.SCORE_UNIT``):

    score = log10 odds(prior) + ALPHA * LM gain

- *Prior*: P(substitution | this spun form is seen) in a spun document, times the probability that
  the document is spun. In a spun document an occurrence of the spun form ``s`` comes either from
  an original ``o`` that the spinner rewrote (rate ∝ freq(o) · REWRITE_RATE) or from a genuine
  ``s`` that the spinner left alone (rate ∝ freq(s), times CHAIN_SURVIVAL when the spinner also
  rewrites ``s`` itself: town→"city" while city→"metropolis"). Frequencies are wordfreq's; the row's
  ``weight`` multiplies the odds.
- *LM gain*: log10 P(window with the original) − log10 P(window with the spun words), from the
  context model over the span and the two words after it.
- *Document evidence*: strong hits (matches whose best LM gain exceeds STRONG_GAIN) per 100
  words. DESIGN.md measured the seed at 12.8, real spun news pages at 6–10 and no clean document
  above 1.6, so a logistic curve centred between them turns it into P(document spun).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence

from wordfreq import word_frequency

from .context import BOS, EOS, ContextModel, lm_word
from .lexicon import Lexicon
from .match import Match, Words
from .types import DocReport, Entry

# Stable reason codes: countable in stats, documented for users.
REASONS = {
    "spun_word": "a one-word lexicon swap, supported by context and document evidence",
    "spun_phrase": "a multi-word lexicon swap (the spinner's phrase for a shorter original)",
    "spun_name": "a swap inside a capitalised name, from a name-scope lexicon row",
    "tortured_phrase": "a tortured phrase from the scientific paraphrase family",
    "article_agreement": "a/an changed to agree with the restored word that follows",
}

# Weight of the LM gain in the log-odds. The trigram LM is overconfident on rare words and
# speech-trained, so its log-likelihood ratios are discounted (tuned on the dev material:
# 0.6 gave the best precision at equal recall among 0.4–1.0 on the seed's first half).
ALPHA = 0.6
# Share of the occurrences of a word in its thesaurus that the spinner rewrites, split over its
# outputs. The news spinner rewrites most covered words (the seed restores 91 of about 120 hits).
REWRITE_RATE = 0.5
# A genuine form that the spinner itself rewrites survives in spun text this often.
CHAIN_SURVIVAL = 0.3
# Frequency floor for forms wordfreq does not know (its own floor is about 1e-8).
FREQ_FLOOR = 1e-9
# Clamp on the prior log-odds of a row: no row alone can be certain.
PRIOR_LOG_ODDS = (-4.0, 3.0)
# Document evidence: hits with LM gain above STRONG_GAIN per 100 words; logistic centre and
# scale chosen between the clean maximum (1.6) and spun minimum (6) measured in DESIGN.md.
STRONG_GAIN = 1.0
SPIN_CENTRE = 3.5
SPIN_SCALE = 0.6
# Pseudo-words added to every document before computing the rate, so that a three-word text
# with one strong hit is not taken for a spun one.
EVIDENCE_PSEUDO_WORDS = 40
# Rows of a family other than the document's dominant one: prior odds divided by 10**this.
OTHER_FAMILY_PENALTY = 0.5
# Names (capitalised mid-sentence) are genuine far more often than spun: odds divided by this.
NAME_PENALTY = 30.0


@functools.lru_cache(maxsize=200_000)
def freq(phrase: str) -> float:
    """wordfreq's frequency of a word or phrase (its own estimate for multi-word phrases)."""
    return max(word_frequency(phrase, "en"), FREQ_FLOOR)


@functools.lru_cache(maxsize=200_000)
def row_log_odds(entry: Entry, chained: bool) -> float:
    """Prior log10 odds that an occurrence of ``entry.spun`` in a spun document is a substitution."""
    f_orig = sum(freq(a.lower()) for a in entry.restored)
    f_spun = freq(entry.spun) * (CHAIN_SURVIVAL if chained else 1.0)
    odds = f_orig * REWRITE_RATE / f_spun * entry.weight
    lo, hi = PRIOR_LOG_ODDS
    return min(hi, max(lo, math.log10(odds)))


def alt_share(entry: Entry, alt: str) -> float:
    """How likely each alternative of a row is, a priori: proportional to its frequency."""
    total = sum(freq(a.lower()) for a in entry.restored)
    return freq(alt.lower()) / total


def history(words: Words, i: int) -> tuple[str, str]:
    """The two LM words before word ``i`` (``BOS`` at a sentence start)."""
    if words.sentence_start(i):
        return BOS, BOS
    p1 = lm_word(words.surface[i - 1])
    if words.sentence_start(i - 1):
        return BOS, p1
    return lm_word(words.surface[i - 2]), p1


def following(words: Words, j: int, n: int = 2) -> list[str]:
    """Up to ``n`` LM words from word ``j`` on, ending with ``EOS`` at a sentence end."""
    out = []
    for k in range(j, min(j + n, len(words))):
        if words.sentence_start(k):
            out.append(EOS)
            return out
        out.append(lm_word(words.surface[k]))
    if len(out) < n and j + len(out) >= len(words):
        out.append(EOS)
    return out


def seq_logprob(lm: ContextModel, h2: str, h1: str, seq: Sequence[str]) -> float:
    """log10 P(seq | h2 h1) under the context model."""
    total = 0.0
    for w in seq:
        total += lm.logprob(w, h2, h1)
        if w == EOS:
            break
        h2, h1 = h1, w
    return total


def out_words(alt: str) -> list[str]:
    """LM words of a restoration."""
    return [lm_word(w) for w in alt.split()]


def lm_gain(lm: ContextModel, words: Words, m: Match, alt: str) -> float:
    """log10 P(context with ``alt``) − log10 P(context with the spun words), neighbours as written."""
    h2, h1 = history(words, m.i)
    right = following(words, m.j)
    spun = [lm_word(w) for w in words.surface[m.i : m.j]]
    return seq_logprob(lm, h2, h1, out_words(alt) + right) - seq_logprob(lm, h2, h1, spun + right)


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def document_report(words: Words, matches: list[Match], gains: dict[int, float], lexicon: Lexicon) -> DocReport:
    """How spun the document and each paragraph look, and which family did it.

    ``gains`` maps a match's index in ``matches`` to its best independent LM gain.
    """
    strong_by_family: Counter[str] = Counter()
    strong_words: list[int] = []
    for k, m in enumerate(matches):
        if gains.get(k, -99.0) > STRONG_GAIN:
            strong_words.append(m.i)
            for e in m.entries:
                strong_by_family[e.family] += 1
    n = len(words)
    evidence = 100.0 * len(strong_words) / (n + EVIDENCE_PSEUDO_WORDS)
    spin = logistic((evidence - SPIN_CENTRE) / SPIN_SCALE)
    family = strong_by_family.most_common(1)[0][0] if strong_by_family and spin > 0.5 else ""
    return DocReport(round(spin, 4), family, round(evidence, 3), n, _paragraphs(words, strong_words))


def _paragraphs(words: Words, strong_words: list[int]) -> tuple[float, ...]:
    """Spin probability per paragraph (blank-line separated), from its own strong-hit rate."""
    text = words.text
    bounds = [0]
    pos = text.find("\n\n")
    while pos != -1:
        bounds.append(pos)
        pos = text.find("\n\n", pos + 2)
    bounds.append(len(text) + 1)
    import bisect

    word_para = [bisect.bisect_right(bounds, s) - 1 for s in words.starts]
    n_para = len(bounds) - 1
    counts = [0] * n_para
    hits = [0] * n_para
    for p in word_para:
        counts[p] += 1
    for i in strong_words:
        hits[word_para[i]] += 1
    return tuple(
        round(logistic((100.0 * h / (c + EVIDENCE_PSEUDO_WORDS) - SPIN_CENTRE) / SPIN_SCALE), 4)
        for h, c in zip(hits, counts, strict=True)
    )
