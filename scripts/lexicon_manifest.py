"""Write lexicons/MANIFEST.tsv: rows per file and source, with each source's licence.

Run after editing a lexicon:  python scripts/lexicon_manifest.py
A test checks that the manifest matches the files.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from despin.lexicon import NOT_FAMILIES, parse_file  # noqa: E402


def main() -> None:
    lines = ["file\tfamily\tsource\trows\tlicence\tdescription"]
    for path in sorted((ROOT / "lexicons").glob("*.tsv")):
        if path.stem in NOT_FAMILIES:
            continue
        lex = parse_file(path)
        for tag, n in sorted(Counter(e.source for e in lex.entries).items()):
            desc, _, licence = lex.sources[tag].rpartition(";")
            lines.append(f"{path.name}\t{lex.family}\t{tag}\t{n}\t{licence.strip()}\t{desc.strip()}")
    (ROOT / "lexicons" / "MANIFEST.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
