"""How many spun technical terms despin restores, for terms the generator saw and for terms it did not.

    .venv/bin/python scripts/measure_generator_holdout.py [--rate 1.0] [-v]

The held-out sample is the fixed 10 % of ``scripts/terms_technical.txt`` that
``gen_tortured_lexicon.py --holdout`` leaves out (``sha1(term) % 10 == 0``). Each held-out term is
spun by a spinner independent of the generator's rule: the WordNet first-sense spinner, the
``wordnet`` lexicon read backwards (``despin.simulate.Spinner``), which swaps every word it knows.
The spun term is put in the carrier sentences of ``despin eval --pairs`` and restored twice:

1. with the shipped lexicons, whose generated tortured rows cover every term of the list;
2. with those generated rows denied for the held-out terms (``Restorer.denying``): what a
   tortured phrase that no row names gets, from the own and dataset rows and the other families.

A term counts as restored when the output of every carrier equals the carrier holding the term
(case-insensitively). Terms the spinner leaves unchanged are not counted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from despin import Restorer
from despin.evaluate import CARRIERS
from despin.simulate import Spinner
from despin.tokens import normalize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_tortured_lexicon import holdout, read_terms  # noqa: E402

TERMS = Path(__file__).resolve().parent / "terms_technical.txt"


def restored(r: Restorer, spun: str, term: str) -> bool:
    for carrier in CARRIERS:
        if normalize(r.restore(carrier.format(spun))) != normalize(carrier.format(term)):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=1.0, help="share of known words the spinner swaps")
    ap.add_argument("-v", action="store_true", help="print every held-out term and its spin")
    args = ap.parse_args(argv)

    r = Restorer()
    lexicon = r.lexicon
    held = [t for t in read_terms(str(TERMS)) if holdout(t)]
    spinner = Spinner(lexicon, families=["wordnet"])
    # generated rows that restore a held-out term (or its plural form)
    generated = {key for key, entries in lexicon.entries.items()
                 for e in entries if e.family == "tortured" and e.source.startswith("gen-tortured")
                 and any(normalize(alt).rstrip("s") in {h.rstrip("s") for h in held} for alt in e.restored)}
    without = r.denying(generated)

    spun_terms = []
    for k, term in enumerate(held):
        s = spinner.spin(term, rate=args.rate, seed=k)
        if s.edits:
            spun_terms.append((term, s.text))
    with_rows = sum(restored(r, s, t) for t, s in spun_terms)
    no_rows = sum(restored(without, s, t) for t, s in spun_terms)
    if args.v:
        for t, s in spun_terms:
            print(f"{t:40} {s:45} {'yes' if restored(r, s, t) else 'no'}")
    n = len(spun_terms)
    print(f"held-out terms {len(held)}, spun by the WordNet spinner {n}; generated rows denied: {len(generated)}")
    print(f"restored with the shipped lexicons:         {with_rows}/{n} = {with_rows / max(n, 1):.3f}")
    print(f"restored without their generated rows:      {no_rows}/{n} = {no_rows / max(n, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
