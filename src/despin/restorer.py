"""The pipeline end to end: words → matches → evidence → decoding → changes and flags.

``Restorer`` holds one frozen ``Config``. It pickles as that config alone; the lexicons and the
context model load on first use, once per process (``lexicon.load`` and ``context.load_model``
are cached), so a Restorer shipped to worker processes costs a few hundred bytes.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import decode, score
from .apply import apply_changes
from .config import Config
from .context import MODELS, ContextModel, Memo, load_model
from .lexicon import Lexicon, LexiconError, load_keeping, shipped_families
from .match import INVERSION_FAMILY, INVERSION_SOURCE, Match, Words, find, inversions, protected
from .screen import fast_tokens
from .tokens import block_spans
from .types import Change, DocReport, Entry, Flag, ScanResult

# Capitalised words mid-sentence are names far more often than spun words, and a wrong change to a
# name costs more than a miss: unless ``restore_names`` is set they need this much more raw score
# (log10 odds before the calibration, score.CAL_SLOPE) than the threshold. "Residence Secretary",
# "Excessive Courtroom" and "Authorities’s" score above 2.5 raw in wild-dev 03, where genuine names
# score below 1.
NAME_MARGIN = 1.5
# A row is decoded only if its prior plus ALPHA times its best LM gain comes within this of the
# threshold (a neighbour's restoration can lift a score by about this much in joint decoding).
DECODE_MARGIN = 1.0
# Alternatives beyond the sixth of a row have a prior share under 1/216 (score.alt_share): skipped.
MAX_ALTERNATIVES = 6


class _Gains:
    """The independent LM gain of each candidate of each match of one document, computed on
    first use (most matches in clean text never need one) and asked again by the evidence, the
    gating of rows, the decoder and the flags."""

    def __init__(self, lm: ContextModel, words: Words) -> None:
        self._lm, self._words = lm, words
        self._gain: dict[tuple[int, int, str], float] = {}
        self._best: dict[tuple[int, int, str | None], float] = {}

    def best(self, m: Match, family: str | None = None) -> float:
        """The best gain over the alternatives of ``m``'s rows of ``family`` (all rows when
        ``None``): a row is judged by what its own alternatives show."""
        key = (m.i, m.j, family)
        got = self._best.get(key)
        if got is None:
            alts = list(dict.fromkeys(a for e in m.entries if family is None or e.family == family
                                      for a in e.restored[:MAX_ALTERNATIVES]))
            got = self._best[key] = max(self.of(m, alts), default=-math.inf)
        return got

    def of(self, m: Match, alts: list[str]) -> list[float]:
        """The gain of each of ``alts`` at ``m``."""
        todo = [a for a in alts if (m.i, m.j, a) not in self._gain]
        if todo:
            for a, g in zip(todo, score.lm_gains(self._lm, self._words, m, todo), strict=True):
                self._gain[(m.i, m.j, a)] = g
        return [self._gain[(m.i, m.j, a)] for a in alts]


@dataclass(frozen=True)
class Analysis:
    """Everything despin concluded about one text."""

    report: DocReport
    changes: tuple[Change, ...]
    flags: tuple[Flag, ...]


def _merged(groups: Iterable[list[Match]]) -> list[Match]:
    """Matches of several families' indexes in text order, one per span (a match holds the rows
    of every family with its key)."""
    found: dict[tuple[int, int], Match] = {}
    for group in groups:
        for m in group:
            found.setdefault((m.i, m.j), m)
    return [found[k] for k in sorted(found)]


def _lemma_capitals(surface: str) -> bool:
    """A capitalised first word followed by a lower-case word: "Associate in Nursing"."""
    words = surface.split()
    return len(words) > 1 and words[0][:1].isupper() and any(w[:1].islower() for w in words[1:])


def _after_sentence_end(text: str, start: int) -> bool:
    """Whether ``start`` follows the start of the text, a blank line or a sentence's final
    punctuation (a single line break is not one: spun pages are often hard-wrapped)."""
    before = text[max(0, start - 80) : start].rstrip(" \t")
    if not before.strip():
        return start <= 80 or "\n\n" in text[max(0, start - 80) : start]
    return before.endswith("\n\n") or before.rstrip()[-1] in ".!?:\"”"


class TextTooLongError(ValueError):
    """A text longer than ``Config.max_chars``. The corpus tools and the pipeline integrations
    pass such a document through unchanged and count it; the library raises, as asked."""


def _check_text(text: object, limit: int) -> str:
    if isinstance(text, str):
        if len(text) > limit:
            raise TextTooLongError(
                f"text has {len(text):,} characters, more than max_chars={limit:,}; split it first")
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        raise TypeError(
            "despin works on str, not bytes: decode first, e.g. restore(data.decode('utf-8'))"
        )
    raise TypeError(f"despin works on str, not {type(text).__name__}")


def _names(option: str, values: object, what: str, kinds: tuple[type, ...]) -> tuple[str, ...]:
    """One value or a sequence of values of ``kinds`` as a tuple of strings. bytes are refused: a
    sequence of ints to Python, they were read as "family 110" or "path 120"."""
    if isinstance(values, kinds):
        values = (values,)
    if isinstance(values, (bytes, bytearray)) or not isinstance(values, Iterable):
        raise TypeError(f"{option} takes a {what} or a sequence of them, not {type(values).__name__}")
    out = []
    for v in values:
        if not isinstance(v, kinds):
            raise TypeError(f"{option} takes a {what} or a sequence of them, not a {type(v).__name__} ({v!r})")
        out.append(str(v))
    return tuple(out)


def _checked(cfg: Config) -> Config:
    """``cfg`` with its collections as tuples (one family, lexicon or keep-list path may be given alone), or a
    clear error for a value the pipeline cannot use (a NaN threshold would apply every change)."""
    if cfg.families is not None:
        families = _names("families", cfg.families, "family name", (str,))
        shipped = shipped_families()
        unknown = [f for f in families if f not in shipped]
        if unknown:
            raise LexiconError(f"families: unknown lexicon family {unknown[0]!r}; shipped: {', '.join(shipped)}")
        cfg = cfg._replace(families=families)
    path = (str, os.PathLike)
    cfg = cfg._replace(lexicons=_names("lexicons", cfg.lexicons, "path", path),
                       keep=_names("keep", cfg.keep, "path", path))
    th = cfg.threshold
    if isinstance(th, bool) or not isinstance(th, (int, float)):
        raise TypeError(f"threshold must be a number (log10 odds, default 0.15), not {type(th).__name__}")
    try:
        finite = math.isfinite(th)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        shown = repr(th) if len(repr(th)) <= 24 else repr(th)[:20] + "..."
        raise ValueError(f"threshold must be finite, not {shown}")
    for option in ("restore_names", "fix_articles"):
        if not isinstance(getattr(cfg, option), bool):
            raise TypeError(f"{option} must be True or False, not {getattr(cfg, option)!r}")
    if cfg.model not in MODELS:
        raise ValueError(f"unknown context model {cfg.model!r}; use one of {', '.join(MODELS)}")
    if isinstance(cfg.max_chars, bool) or not isinstance(cfg.max_chars, int) or cfg.max_chars < 1:
        raise ValueError(f"max_chars must be a positive integer, not {cfg.max_chars!r}")
    return cfg


class Restorer:
    """Restores spun text with one frozen configuration.

    >>> r = Restorer(threshold=1.0)
    >>> r.config.threshold
    1.0
    """

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        cfg = config or Config()
        if overrides:
            unknown = set(overrides) - set(Config._fields)
            if unknown:
                raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}; see despin.Config")
            cfg = cfg._replace(**overrides)
        self._config = cfg = _checked(cfg)
        self._raw_threshold = score.raw_threshold(cfg.threshold)  # the pipeline's scores are raw
        # (row, name) -> the row's fitted prior log-odds: the same rows match in every document
        self._priors: dict[tuple[Entry, bool], float] = {}

    @property
    def config(self) -> Config:
        """The configuration, fixed when the Restorer is made (make another to change it)."""
        return self._config

    def __reduce__(self) -> tuple[type, tuple[Config]]:
        return (Restorer, (self.config,))

    def __repr__(self) -> str:
        return f"Restorer({self.config!r})"

    _denied: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        denied = getattr(self, "_denied", None)
        if denied is not None:
            return denied
        return load_keeping(self.config.families, self.config.lexicons, self.config.keep)

    def denying(self, keys: set[str]) -> Restorer:
        """A copy whose lexicon lacks ``keys``: for k-fold evaluation of what despin catches
        without the row that produced a spin. Not picklable as such (evaluation only)."""
        r = Restorer(self.config)
        r._denied = self.lexicon.without(keys)
        return r

    @property
    def model(self) -> ContextModel:
        return load_model(self.config.model)

    def warm(self, indexes: bool = True) -> Restorer:
        """Load the lexicons, the pre-screen and the context model now rather than on first use,
        and with ``indexes`` every family's key index too (about 1 s in all).

        Worth it before timing, or before forking workers (they inherit what is loaded: the
        pool loads what every document needs and leaves family indexes to the workers, which
        build them in parallel and only if their documents need them). A single ``restore``
        loads only what its text needs, which keeps a first call short."""
        lexicon = self.lexicon
        score.screen(lexicon)
        if indexes:
            for family in lexicon.families:
                lexicon.index(family)
                lexicon.rewritten(family)
            score.spellable(lexicon)
        _ = self.model
        return self

    # -- public operations -------------------------------------------------------------------

    def restore(self, text: str) -> str:
        """The text with every change at or above the threshold applied."""
        a = self.analyze(text, flags=False)
        return apply_changes(text, a.changes)

    def restore_or_keep(self, text: str) -> str:
        """``restore``, but a text longer than ``max_chars`` comes back unchanged: for a step in
        someone else's pipeline, where one enormous document must not fail the whole task."""
        try:
            return self.restore(text)
        except TextTooLongError:
            return text

    def restore_and_explain(self, text: str) -> tuple[str, list[Change]]:
        a = self.analyze(text, flags=False)
        return apply_changes(text, a.changes), list(a.changes)

    def scan(self, text: str) -> ScanResult:
        a = self.analyze(text)
        return ScanResult(a.report, a.flags)

    # -- the pipeline ------------------------------------------------------------------------

    def analyze(self, text: str, flags: bool = True) -> Analysis:
        """The document report, the changes at or above the threshold and every flag: the
        pipeline, then the acronym cue (which holds in any document, spun-looking or not).

        ``flags=False`` leaves out the flags that are no change (a restore needs only the
        changes): 7% fewer instructions on spun text, where every candidate is flagged."""
        text = _check_text(text, self.config.max_chars)
        a = self._analyze(text, flags)
        if "(" in text:
            a = self._acronym_cues(text, a)
            if not flags and a.flags:
                a = Analysis(a.report, a.changes, ())
        return a

    def _analyze(self, text: str, with_flags: bool = True) -> Analysis:
        cfg = self.config
        lexicon = self.lexicon
        # 0. the pre-screen: the families that could be active; most clean documents end here
        toks = fast_tokens(text)
        possible = score.screen(lexicon).families(toks, fingerprints=with_flags)
        empty = Analysis(DocReport(0.0, "", 0.0, len(toks), ()), (), ())
        if not possible:
            return empty
        words = Words(text)
        if not len(words):
            return empty
        lm = Memo(self.model)
        # 1. evidence: every row of those families (their heavy rows count)
        by_family = {fam: find(words, lexicon, lexicon.index(fam)) for fam in possible}
        if INVERSION_FAMILY in by_family:
            by_family[INVERSION_FAMILY] = _merged([by_family[INVERSION_FAMILY], inversions(words)])
        evidence = _merged(by_family.values())
        gains = _Gains(lm, words)
        report, family_spin, segments = score.document_report(words, len(toks), evidence, gains)
        if not family_spin:
            alone = self._fingerprints(by_family, family_spin, words, gains, set()) if with_flags else []
            return Analysis(report, (), tuple(alone))
        # 2. the matches of the families that spun this document
        matches = _merged(by_family.get(fam) or find(words, lexicon, lexicon.index(fam)) for fam in family_spin)

        options: dict[int, list[decode.Option]] = {}
        keep_log: dict[int, float] = {}
        # 3. the evidence of each recurring spun form's other occurrences (score.repeat_evidence)
        groups = score.recurrences(matches)
        others = score.repeat_evidence(matches, groups, gains, cfg.model, family_spin)
        group_of = {k: group for group in groups for k in group}
        for k, m in enumerate(matches):
            again = [matches[j] for j in group_of.get(k, ()) if j != k]
            opts, p_best = self._options(k, m, words, family_spin, segments.at(m.start), lexicon, gains,
                                         others.get(k), again)
            if opts:
                options[k] = opts
                keep_log[k] = math.log10(1.0 - p_best)

        chosen: list[decode.Choice] = []
        raw_th = self._raw_threshold
        for members in decode.clusters(matches, words):
            if any(k in options for k in members):
                chosen += decode.decode_cluster(lm, words, matches, members, options, keep_log, gains.of)

        changes: list[Change] = []
        applied: set[int] = set()
        for ch in chosen:
            m = matches[ch.option.match]
            if ch.score < raw_th:
                continue
            if (m.capitalised and not m.sentence_initial and not cfg.restore_names
                    and m.entries[ch.option.entry_index].scope != "name"
                    and ch.score < raw_th + NAME_MARGIN):
                continue
            applied.add(ch.option.match)
            changes.append(self._change(m, ch.option, ch.score, text))
        if cfg.fix_articles and changes:
            changes += self._articles(words, changes)
        changes.sort(key=lambda c: c.start)

        flags: list[Flag] = []
        if with_flags:
            flags = self._flags(gains, words, matches, options, chosen)
            more = self._fingerprints(by_family, family_spin, words, gains, {(f.start, f.end) for f in flags})
            if more:
                flags = sorted(flags + more, key=lambda f: f.start)
        return Analysis(report, tuple(changes), tuple(flags))

    def _fingerprints(self, by_family: dict[str, list[Match]], family_spin: dict[str, float], words: Words,
                      gains: _Gains, covered: set[tuple[int, int]]) -> list[Flag]:
        """Flags for the heavy hits of the fingerprint families (``score.Gate.fingerprint``) whose
        span the pipeline has not flagged (``covered``): a tortured phrase alone in a long paper, whose gate
        stays shut or too weak to offer candidates, is still reported. Each is scored at the
        family's document spin, or MIN_FAMILY_SPIN where the gate stayed shut (its estimate is
        below that), and without the segment's: an upper bound. Such a flag is never a change."""
        out = []
        for fam, found in by_family.items():
            gate = score.FAMILY_GATES.get(fam, score.DEFAULT_GATE)
            if not gate.fingerprint:
                continue
            spin = family_spin.get(fam, score.MIN_FAMILY_SPIN)
            for m in found:
                if (m.start, m.end) in covered:
                    continue
                heavy = [(ei, e) for ei, e in enumerate(m.entries) if e.family == fam and e.weight >= gate.min_weight]
                if not heavy:
                    continue
                ei, e = heavy[0]
                p = min(score.P_MAX, spin * self._row_prior(m, e, words, self.lexicon))
                alts = list(e.restored[:MAX_ALTERNATIVES])
                scored = [(math.log10(p * score.alt_share(e, rank) / (1.0 - p)) + score.ALPHA * g, rank)
                          for rank, g in enumerate(gains.of(m, alts))]
                sc, rank = max(scored)
                c = self._change(m, decode.Option(-1, alts[rank], ei, 0.0), round(sc, 3), words.text)
                out.append(Flag(m.start, m.end, m.surface, c.restored, tuple(alts), c.score, c.reason, e.where, fam))
        return out

    def _acronym_cues(self, text: str, a: Analysis) -> Analysis:
        """Restore the phrases that a parenthesised acronym after them spells (score.ACRONYM_RE),
        in any document: such a change replaces whatever the pipeline decided for its span."""
        lexicon = self.lexicon
        found: list[tuple[Change, Flag]] = []
        spellable: frozenset[str] | None = None
        blocks: list[tuple[int, int]] | None = None
        for am in score.ACRONYM_RE.finditer(text):
            if spellable is None:
                spellable = score.spellable(lexicon)
            if not any(letters in spellable for letters in score.acronym_letters(am.group(1))):
                continue
            end = am.start() - 1 if text[am.start() - 1 : am.start()] == " " else am.start()
            lo = max(0, end - score.ACRONYM_WINDOW)
            space = text.find(" ", lo, end) if lo else -1
            lo = space + 1 if space >= 0 else lo  # from a word start
            words = Words(text[lo:end])
            acronym = am.group(1)
            spelt = (" ".join(words.surface[-k:]) for k in range(1, min(len(words), 12) + 1))
            if any(score.fits_acronym(acronym, phrase) for phrase in spelt):
                continue  # the words before it spell it: "rheumatoid arthritis (RA)" is as written
            best: tuple[int, float, Change, Flag] | None = None
            for fam in lexicon.families:
                for m in find(words, lexicon, lexicon.index(fam)):
                    if m.end != end - lo:
                        continue
                    for e in m.entries:
                        if e.family != fam or e.scope == "name" and not m.capitalised:
                            continue
                        fits = [alt for alt in e.restored[:MAX_ALTERNATIVES] if score.fits_acronym(acronym, alt)]
                        if not fits:
                            continue
                        sc = score.calibrated(self._fitted_log_odds(e, False, lexicon) + score.ACRONYM_CUE)
                        restored = decode.transfer_case(m.surface, fits[0])
                        c = Change(lo + m.start, lo + m.end, m.surface, restored, sc, "acronym_fit", e.where, fam)
                        f = Flag(c.start, c.end, m.surface, restored, tuple(fits), sc, c.reason, e.where, fam)
                        if best is None or (m.j - m.i, sc) > best[:2]:
                            best = (m.j - m.i, sc, c, f)
            if best is not None:
                if blocks is None:
                    blocks = block_spans(text)
                if protected(text, best[2].start, best[2].end, blocks):
                    continue  # matched in a piece of the text, out of its code or URL
                found.append(best[2:])
        if not found:
            return a

        # the proposals are disjoint and in text order (each ends at its own acronym)
        starts = [c.start for c, _ in found]

        def clear(x: Change | Flag) -> bool:
            q = bisect.bisect_left(starts, x.end) - 1  # the last proposal starting before x ends
            return q < 0 or found[q][0].end <= x.start

        changes = [c for c in a.changes if clear(c)] + [c for c, _ in found if c.score >= self.config.threshold]
        flags = [f for f in a.flags if clear(f)] + [f for _, f in found]
        changes.sort(key=lambda c: c.start)
        flags.sort(key=lambda f: f.start)
        return Analysis(a.report, tuple(changes), tuple(flags))

    def _options(
        self,
        k: int,
        m: Match,
        words: Words,
        family_spin: dict[str, float],
        seg_spin: float,
        lexicon: Lexicon,
        gains: _Gains,
        others: dict[str, float] | None = None,
        again: Sequence[Match] = (),
    ) -> tuple[list[decode.Option], float]:
        """Candidate replacements for match ``k`` with their prior log10 terms (``others``: the
        log10 likelihood ratio of the match's other occurrences ``again``, by family; those
        occurrences also weigh in the choice among a row's alternatives).

        A row whose prior cannot reach the threshold even with the largest LM gain it shows here
        (less DECODE_MARGIN, for the joint decoding) offers none: in a clean document that is nearly
        every row, which keeps clean text cheap."""
        opts: list[decode.Option] = []
        p_best = 0.0
        floor = self._raw_threshold - DECODE_MARGIN
        min_spin = 10.0 ** (floor - score.PRIOR_LOG_ODDS[1] - score.ALPHA * score.GAIN_CAP)
        for ei, e in enumerate(m.entries):
            if e.scope == "name" and not (m.capitalised and (not m.sentence_initial or m.j - m.i > 1)):
                continue
            spin = family_spin.get(e.family, 0.0) * seg_spin
            if spin < min_spin:
                continue  # nothing this row could show would reach the threshold
            p = min(score.P_MAX, spin * self._row_prior(m, e, words, lexicon))
            if others and e.family in others:
                p = score.pooled_prior(p, others[e.family])
            if p <= 0.0 or math.log10(p / (1.0 - p)) + score.ALPHA * gains.best(m, e.family) < floor:
                continue
            p_best = max(p_best, p)
            alts = e.restored[:MAX_ALTERNATIVES]
            shares = [score.alt_share(e, rank) for rank in range(len(alts))]
            if again and len(alts) > 1:
                shares = score.pooled_shares(self.config.model, e, alts, shares, again, gains)
            for alt, share in zip(alts, shares, strict=True):
                opts.append(decode.Option(k, alt, ei, math.log10(p * share)))
        return opts, p_best

    def _row_prior(self, m: Match, e: Entry, words: Words, lexicon: Lexicon) -> float:
        """P(match ``m`` is row ``e``'s substitution) before the document's spin and the LM: the
        fitted prior of its features, with the local cues."""
        name = m.capitalised and not m.sentence_initial and e.scope != "name"
        log_odds = self._fitted_log_odds(e, name, lexicon) + score.local_cue(words, m)
        return 1.0 / (1.0 + 10.0 ** -log_odds)

    def _fitted_log_odds(self, e: Entry, name: bool, lexicon: Lexicon) -> float:
        """The fitted prior log10 odds of row ``e`` (``score.prior_log_odds`` of its features),
        once per row: the same rows match in every document."""
        got = self._priors.get((e, name))
        if got is None:
            chained = e.spun in lexicon.rewritten(e.family)
            got = self._priors[(e, name)] = score.prior_log_odds(
                e.family, score.features(self.config.model, e, chained, name))
        return got

    @staticmethod
    def _change(m: Match, opt: decode.Option, sc: float, text: str) -> Change:
        """The change of ``opt`` at ``m`` with its reason, case and calibrated score (``sc`` is raw)."""
        e = m.entries[opt.entry_index]
        if e.scope == "name":
            reason = "spun_name"
        elif e.family == "tortured":
            reason = "tortured_phrase"
        elif e.path == INVERSION_SOURCE:
            reason = "inverted_phrase"
        elif m.j - m.i > 1 or len(opt.alt.split()) > 1:
            reason = "spun_phrase"
        else:
            reason = "spun_word"
        restored = decode.transfer_spacing(m.surface, decode.transfer_case(m.surface, opt.alt))
        if e.family == "wordnet" and _lemma_capitals(m.surface):
            # the WordNet spinner writes a lemma's own capitals ("Associate in Nursing" for *an*,
            # mid-sentence too): they say nothing of the author's, only a sentence start does
            restored = opt.alt
            if _after_sentence_end(text, m.start):
                restored = restored[:1].upper() + restored[1:]
        elif m.sentence_initial and not any(c.isalpha() for c in m.surface):
            restored = restored[:1].upper() + restored[1:]  # "5 others had" → "Five others had"
        if "’" in m.surface:
            restored = restored.replace("'", "’")
        return Change(m.start, m.end, m.surface, restored, score.calibrated(sc), reason, e.where, e.family)

    @staticmethod
    def _articles(words: Words, changes: list[Change]) -> list[Change]:
        """a/an before a restored word whose first sound differs from the written article."""
        text = words.text
        taken = [(c.start, c.end) for c in changes]
        index = {s: i for i, s in enumerate(words.starts)}
        out = []
        for c in changes:
            i = index.get(c.start)
            if i is None or i == 0:
                continue
            art = words.surface[i - 1]
            if art.lower() not in ("a", "an") or text[words.ends[i - 1] : c.start].strip():
                continue
            want = decode.article_for(c.restored.split()[0])
            if want is None or want == art.lower():
                continue
            s, e = words.starts[i - 1], words.ends[i - 1]
            if any(ts < e and te > s for ts, te in taken):
                continue
            restored = want.capitalize() if art[0].isupper() else want
            out.append(Change(s, e, art, restored, c.score, "article_agreement", "rule:a_an", c.family))
        return out

    @staticmethod
    def _keep_log(opts: list[decode.Option]) -> float:
        p = max(10.0 ** o.log_prior for o in opts)
        return math.log10(max(1e-9, 1.0 - min(p, score.P_MAX)))

    def _flags(
        self,
        gains: _Gains,
        words: Words,
        matches: list[Match],
        options: dict[int, list[decode.Option]],
        chosen: list[decode.Choice],
    ) -> list[Flag]:
        """One flag per match that has candidates, scored in the decoded context when the decoder
        chose it and independently otherwise."""
        decided = {ch.option.match: ch for ch in chosen}
        # the decoder's spans do not overlap: sorted, the one that could hold a match is found by bisection
        spans = sorted((matches[k].start, matches[k].end) for k in decided)
        span_starts = [a for a, _ in spans]
        flags = []
        for k, m in enumerate(matches):
            opts = options.get(k)
            if not opts:
                continue
            if k not in decided:
                q = bisect.bisect_right(span_starts, m.start) - 1
                if q >= 0 and spans[q][1] >= m.end and spans[q] != (m.start, m.end):
                    continue  # a part of a longer span the decoder chose: reported with it
            ch = decided.get(k)
            if ch is not None:
                best, sc = ch.option, ch.score
            else:
                kl = self._keep_log(opts)
                alt_gains = gains.of(m, [o.alt for o in opts])
                scored = [(o.log_prior - kl + score.ALPHA * g, o) for o, g in zip(opts, alt_gains, strict=True)]
                sc, best = max(scored, key=lambda t: t[0])
                sc = round(sc, 3)
            e = m.entries[best.entry_index]
            cands = tuple(dict.fromkeys(o.alt for o in opts))
            c = self._change(m, best, sc, words.text)
            flags.append(Flag(m.start, m.end, m.surface, c.restored, cands, c.score, c.reason, e.where, e.family))
        return flags
