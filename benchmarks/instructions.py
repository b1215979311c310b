"""Instructions executed by despin and by ftfy on the same documents: a measure of work that the
machine's load does not move, beside the wall-clock throughput of ``throughput.py``.

    .venv/bin/python benchmarks/instructions.py [--clean PATH] [--spun]

On a shared VM the wall-clock figures move by ±25% from one run to the next and two processes
side by side slow each other unevenly; valgrind's callgrind counts instructions, which repeat to
within 0.1% for the same code and input, whatever else the machine does. Each engine runs twice in
a fresh process under callgrind, once loading only (lexicons from the disk cache, the model, ftfy's
tables) and once loading and then processing every document; the difference is the processing.
Instructions are not seconds (an instruction of C string code and one of the Python interpreter
take different times), so this complements the throughput figures rather than replacing them.
Needs valgrind (Debian: ``apt install valgrind``); about 4 minutes for the clean corpus (``--spun``
adds the re-spun documents, which take far longer).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from throughput import SHARED, _jsonl_texts, _respin  # noqa: E402

_CHILD = """
import json, sys
texts = json.load(open(sys.argv[1], encoding="utf-8"))
if sys.argv[2] == "despin":
    from despin import Restorer
    r = Restorer().warm()
    work = r.restore
else:
    import ftfy
    ftfy.fix_text(texts[0])
    work = ftfy.fix_text
if sys.argv[3] == "run":
    for t in texts:
        work(t)
"""


def instructions(engine: str, texts_file: Path, mode: str, cache: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", sys.executable, "-c", _CHILD,
             str(texts_file), engine, mode],
            capture_output=True, text=True, check=True, env={"DESPIN_CACHE_DIR": cache, "PATH": "/usr/bin:/bin"})
    got = re.search(r"Collected : (\d+)", out.stderr)
    if not got:
        raise SystemExit(f"no instruction count from callgrind:\n{out.stderr[-2000:]}")
    return int(got.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clean", default=str(SHARED / "corpora" / "clean"), help="clean JSONL file or folder")
    ap.add_argument("--spun", action="store_true", help="also the clean documents re-spun (as throughput.py)")
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("instructions.py needs valgrind", file=sys.stderr)
        return 2
    import json

    corpora = {"clean": _jsonl_texts(Path(args.clean))}
    if args.spun:
        corpora["spun"] = _respin(corpora["clean"])
    with tempfile.TemporaryDirectory() as tmp:
        cache = str(Path(tmp) / "cache")
        print("| text | MB | despin instructions | ftfy.fix_text instructions | ftfy / despin |")
        print("|---|---|---|---|---|")
        for name, texts in corpora.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(texts), encoding="utf-8")
            instructions("despin", path, "load", cache)  # fills the disk cache
            counts = {e: instructions(e, path, "run", cache) - instructions(e, path, "load", cache)
                      for e in ("despin", "ftfy")}
            mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
            print(f"| {name} ({len(texts)} docs) | {mb:.2f} | {counts['despin'] / 1e6:,.0f}M | "
                  f"{counts['ftfy'] / 1e6:,.0f}M | {counts['ftfy'] / counts['despin']:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
