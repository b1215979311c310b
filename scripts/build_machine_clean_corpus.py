"""Build a clean-text corpus for false-change tests from English prose already on this machine.

    python scripts/build_machine_clean_corpus.py OUT.jsonl [--min-words 30] [--doc-words 300]
    python scripts/build_machine_clean_corpus.py OUT.jsonl --docstrings-from .venv/lib/python3.11/site-packages
    python scripts/build_machine_clean_corpus.py OUT.jsonl --docs-from /usr/share/cmake-3.25/Help

The shared clean corpora are what despin is tuned on; this one is text it was never tuned on: the
paragraphs of the Debian package documentation (``/usr/share/doc``: READMEs, NEWS files, licence
texts) and the docstrings of the Python standard library of the running interpreter. None of it is
spun, so every change despin makes there is false (``despin eval --clean OUT.jsonl -v``). The
paragraphs (at least ``--min-words`` words, mostly letters) are deduplicated and joined into
documents of about ``--doc-words`` words. The output is not committed: its texts carry their
packages' licences.

On the machine where it was written (Debian 12, Python 3.11): 25,737 paragraphs, 4,669
documents, 1.97M words.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import json
import re
import sysconfig
from collections.abc import Iterator
from pathlib import Path


def debian_docs(root: Path = Path("/usr/share/doc"), names: str = r"README|copyright|NEWS|\.txt|\.md") -> Iterator[str]:
    """The paragraphs of the documentation files under ``root`` whose name matches ``names``."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or not re.search(names, path.name, re.I):
            continue
        try:
            raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        yield from re.split(r"\n\s*\n", text)


def python_docstrings(root: Path | None = None) -> Iterator[str]:
    """The docstring paragraphs of the Python files under ``root`` (default: the standard library,
    without its tests and installed packages)."""
    skip = {"test", "tests"} | ({"site-packages"} if root is None else set())
    root = root or Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(root.rglob("*.py")):
        if skip & set(path.relative_to(root).parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    yield from re.split(r"\n\s*\n", doc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--min-words", type=int, default=30)
    ap.add_argument("--doc-words", type=int, default=300)
    ap.add_argument("--docstrings-from", action="append", type=Path, default=[], metavar="DIR",
                    help="take only the docstrings of the Python files under DIR (repeatable), e.g. "
                         "a virtual environment's site-packages: technical prose that the default "
                         "sources lack")
    ap.add_argument("--docs-from", action="append", type=Path, default=[], metavar="DIR",
                    help="take only the README, text, Markdown and reStructuredText files under DIR "
                         "(repeatable), e.g. /usr/share/cmake-3.25/Help or /usr/lib/node_modules/npm/docs")
    args = ap.parse_args()
    seen: set[str] = set()
    docs: list[str] = []
    current: list[str] = []
    size = n_paras = 0
    chosen = [p for d in args.docstrings_from for p in python_docstrings(d)] + [
        p for d in args.docs_from for p in debian_docs(d, r"README|\.txt|\.md|\.rst")]
    sources = chosen if args.docstrings_from or args.docs_from else [*debian_docs(), *python_docstrings()]
    for block in sources:
        para = re.sub(r"\s+", " ", block).strip()
        if len(para.split()) < args.min_words or sum(c.isalpha() for c in para) < 0.7 * len(para):
            continue  # headings, lists of files, tables, code
        digest = hashlib.md5(para.lower().encode("utf-8")).hexdigest()
        if digest in seen:
            continue  # the GPL, once
        seen.add(digest)
        n_paras += 1
        current.append(para)
        size += len(para.split())
        if size >= args.doc_words:
            docs.append("\n\n".join(current))
            current, size = [], 0
    with open(args.out, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"text": d}, ensure_ascii=False) + "\n")
    print(f"{n_paras} paragraphs, {len(docs)} documents, {sum(len(d.split()) for d in docs)} words -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
