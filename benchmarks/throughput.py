"""Throughput, cold start and memory of despin, side by side with ftfy, in one run.

    .venv/bin/python benchmarks/throughput.py [--clean PATH ...] [--spun PATH ...] [--large-mb 8]
                                              [--json results.json]

What it measures, each in a fresh process so that no cache or memory is shared between them:

1. Restore throughput (MB of UTF-8 input per second) with ``despin.batch.restore_many`` at
   ``workers=1`` and ``workers=2``, on clean text and on spun text, and ``ftfy.fix_text`` on the
   same documents through the same worker pool: the speed corpus users already accept for a
   text fixer. The lexicons, their indexes and the model are loaded before the clock starts
   (``Restorer.warm``), as they are once per worker over a corpus. Each figure is the median of
   ``--repeat`` runs in fresh processes.
2. The command line end to end on a large JSONL file (the clean documents repeated up to
   ``--large-mb``), ``-j1`` against ``-j2``, start-up included; the outputs must be identical.
   Beside it, the machine's own ceiling: ``-j1`` on the whole input against two independent
   ``-j1`` runs side by side on half of it each (on a VM whose vCPUs are shared, well under 2).
3. Cold start: a fresh interpreter's ``import despin`` and first ``despin.restore`` of the
   bundled example (median of 5), with the compiled lexicons in despin's disk cache as they are
   from the second run on; and the very first run, which compiles them and fills the cache
   (both with a cache folder of their own).
4. Peak RSS of each worker process (``ru_maxrss``): the process itself at ``-j1``, the largest
   worker at ``-j2`` (forked workers count the pages they share with their parent).

Clean text: the JSONL files of ``--clean`` (default ``../shared/corpora/clean``, the project's
clean dev corpus; the bundled example's original when absent). Spun text: the real spun
passages of ``--spun`` (default ``../shared/examples/wild-dev/*.spun.txt`` and the bundled
example) plus the clean documents re-spun with the shipped ``news`` lexicon read backwards
(every other word that a row could have produced), so that the spun set is as large as the
clean one and not a few passages repeated.

Targets (the corpus-cleaning issue): clean ≥ 2× ftfy; spun ≥ 1 MB/s per core; cold start
≤ 0.5 s; peak RSS ≤ 200 MB per worker; CLI ``-j2`` ≥ 1.8× ``-j1`` on a large input.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "examples" / "harbour-council.spun.txt"

# -- corpora -------------------------------------------------------------------------------------


def _jsonl_texts(path: Path) -> list[str]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    out = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


def _respin(texts: list[str]) -> list[str]:
    """Clean texts with words swapped for a spun form that a ``news`` row restores, every other
    eligible word (deterministic): synthetic spun text in the spinner's own vocabulary."""
    from despin.lexicon import parse_file, shipped_dir

    path = shipped_dir() / "news.tsv"
    if not path.exists():
        return []
    forward: dict[str, str] = {}
    for e in parse_file(path).entries:
        first = e.restored[0]
        if " " not in first and first.isalpha() and first.islower():
            forward.setdefault(first, e.spun)
    word = re.compile(r"[A-Za-z]+")
    out = []
    for text in texts:
        count = 0

        def swap(m: re.Match[str]) -> str:
            nonlocal count
            w = m.group()
            spun = forward.get(w.lower())
            if spun is None:
                return w
            count += 1
            if count % 2:
                return w
            return spun[0].upper() + spun[1:] if w[0].isupper() else spun

        out.append(word.sub(swap, text))
    return out


def build_corpora(clean_paths: list[str], spun_paths: list[str], folder: Path) -> dict[str, Path]:
    clean: list[str] = []
    for p in clean_paths:
        if Path(p).exists():
            clean += _jsonl_texts(Path(p))
    if not clean:
        clean = [(ROOT / "examples" / "harbour-council.orig.txt").read_text(encoding="utf-8")] * 50
        print("benchmark: no clean corpus found; using the bundled example's original, repeated", file=sys.stderr)
    spun = []
    for p in spun_paths:
        for name in sorted(glob.glob(p)):
            spun.append(Path(name).read_text(encoding="utf-8"))
    spun += _respin(clean)
    files = {}
    for name, texts in (("clean", clean), ("spun", spun)):
        files[name] = folder / f"{name}.jsonl"
        with open(files[name], "w", encoding="utf-8") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    return files


# -- probes (each runs in its own process) -------------------------------------------------------


def _ftfy_chunk(_restorer: Any, texts: list[str]) -> list[str]:
    import ftfy

    return [ftfy.fix_text(t) for t in texts]


def probe(engine: str, corpus: str, jobs: int, families: tuple[str, ...] | None) -> dict[str, Any]:
    texts = _jsonl_texts(Path(corpus))
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    from despin import Restorer
    from despin.batch import Workers, chunked, restore_many

    r = Restorer(families=families)
    if engine == "despin":
        r.warm()  # loads the lexicons, their indexes and the model (workers inherit them)
        t0 = time.perf_counter()
        n = sum(1 for _ in restore_many(texts, workers=jobs, restorer=r))
    else:
        import ftfy

        ftfy.fix_text(texts[0])
        if jobs > 1:  # the pool would load despin's data before forking: not ftfy's cost
            r.warm()
        t0 = time.perf_counter()
        with Workers(r, jobs) as pool:
            n = sum(len(c) for c in pool.map(_ftfy_chunk, chunked(texts, len)))
    seconds = time.perf_counter() - t0
    assert n == len(texts)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"engine": engine, "jobs": jobs, "docs": len(texts), "mb": round(mb, 3), "seconds": round(seconds, 3),
            "mb_per_s": round(mb / seconds, 4), "rss_mb": round(own if jobs == 1 else children, 1),
            "parent_rss_mb": round(own, 1)}


def cold_start(families: tuple[str, ...] | None) -> tuple[float, float]:
    """(median of 5 fresh processes with the disk cache filled, the first process: empty cache).

    despin's modules are byte-compiled first, as pip leaves an installed package and as any run
    after the first leaves a source checkout; without that, a shell with PYTHONDONTWRITEBYTECODE
    set recompiles every edited module in every process (0.06 s here)."""
    import despin

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(despin.__file__).parent)], check=True)
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import despin\n"
        f"despin.restore(open({str(EXAMPLE)!r}, encoding='utf-8').read(), families={families!r})\n"
        "print(time.perf_counter() - t0)\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "DESPIN_CACHE_DIR": cache}
        runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                     env=env).stdout) for _ in range(6)]
    return statistics.median(runs[1:]), runs[0]


def pair_run(half: Path, folder: Path, families: tuple[str, ...] | None) -> float:
    """Wall time of two independent ``-j1`` runs side by side, each on ``half``: what two cores of
    this machine give when nothing is shared. On two idle cores it equals one run's time; on a
    VM whose vCPUs are shared (steal time), longer. ``-j2`` cannot beat it."""
    family_args = [a for f in families or () for a in ("--family", f)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "despin", "restore", "--jsonl", str(half), "-o",
                               str(folder / f"pair{k}.jsonl"), "-j", "1", *family_args]) for k in (1, 2)]
    for p in procs:
        if p.wait():
            raise SystemExit("despin restore -j1 (pair) failed")
    return time.perf_counter() - t0


def cli_run(src: Path, jobs: int, out: Path, families: tuple[str, ...] | None) -> tuple[float, float, float]:
    """Wall time, peak RSS (largest process of the run) and CPU time (all its processes) of the
    CLI on ``src``."""
    t0 = time.perf_counter()
    family_args = [a for f in families or () for a in ("--family", f)]
    proc = subprocess.Popen([sys.executable, "-m", "despin", "restore", "--jsonl", str(src), "-o", str(out),
                             "-j", str(jobs), *family_args])
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"despin restore -j{jobs} failed with status {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


# -- the report ------------------------------------------------------------------------------------


def _sub(*args: str, families: tuple[str, ...] | None) -> dict[str, Any]:
    family_args = [a for f in families or () for a in ("--family", f)]
    out = subprocess.run([sys.executable, __file__, "--probe", *args, *family_args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"probe {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clean", action="append", default=None, metavar="PATH", help="clean JSONL file or folder")
    ap.add_argument("--spun", action="append", default=None, metavar="PATH", help="spun text files (globs allowed)")
    ap.add_argument("--large-mb", type=float, default=128.0,
                    help="size of the large CLI input (default 128 MB: start-up, about 2 s, is then under a tenth)")
    ap.add_argument("--repeat", type=int, default=3, help="fresh runs per throughput figure, median kept (default 3)")
    ap.add_argument("--family", action="append", dest="families", metavar="NAME",
                    help="restore with these shipped lexicon families only (default: all)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    ap.add_argument("--probe", nargs=3, metavar=("ENGINE", "CORPUS", "JOBS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    families = tuple(args.families) if args.families else None
    if args.probe:
        engine, corpus, jobs = args.probe
        print(json.dumps(probe(engine, corpus, int(jobs), families)))
        return 0

    clean_paths = args.clean or [str(SHARED / "corpora" / "clean")]
    spun_paths = args.spun or [str(SHARED / "examples" / "wild-dev" / "*.spun.txt"), str(EXAMPLE)]
    command = "python benchmarks/throughput.py " + " ".join(argv if argv is not None else sys.argv[1:])
    results: dict[str, Any] = {
        "command": command.strip(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "cpu": _cpu_name(),
                    "load_average_before": round(os.getloadavg()[0], 2)},
        "families": list(families) if families else "all shipped",
    }
    with tempfile.TemporaryDirectory(prefix="despin-bench-") as tmp:
        folder = Path(tmp)
        corpora = build_corpora(clean_paths, spun_paths, folder)
        rows = {}
        for corpus in ("clean", "spun"):
            for jobs in (1, 2):
                for engine in ("despin", "ftfy"):
                    # the median of --repeat fresh processes: single runs of ftfy varied 1.3-2.5 MB/s here
                    runs = [_sub(engine, str(corpora[corpus]), str(jobs), families=families)
                            for _ in range(args.repeat)]
                    res = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
                    res["runs_mb_per_s"] = [r["mb_per_s"] for r in runs]
                    rows[f"{engine}-{corpus}-j{jobs}"] = res
                    print(f"  {engine:6} {corpus:5} -j{jobs}: {res['mb_per_s']:.2f} MB/s "
                          f"({res['mb']:.2f} MB in {res['seconds']:.2f} s), peak RSS {res['rss_mb']:.0f} MB",
                          file=sys.stderr)
        results["throughput"] = rows

        big = folder / "large.jsonl"
        data = corpora["clean"].read_bytes()
        with open(big, "wb") as f:
            written = 0
            while written < args.large_mb * 1e6:
                f.write(data)
                written += len(data)
        t1, rss1, cpu1 = cli_run(big, 1, folder / "out1.jsonl", families)
        t2, rss2, cpu2 = cli_run(big, 2, folder / "out2.jsonl", families)
        same = zlib.crc32((folder / "out1.jsonl").read_bytes()) == zlib.crc32((folder / "out2.jsonl").read_bytes())
        results["cli_large"] = {"mb": round(written / 1e6, 2), "j1_seconds": round(t1, 2), "j2_seconds": round(t2, 2),
                                "speedup": round(t1 / t2, 2), "identical_output": same,
                                "j1_peak_rss_mb": round(rss1, 1), "j2_peak_rss_mb": round(rss2, 1),
                                "j1_cpu_seconds": round(cpu1, 2), "j2_cpu_seconds": round(cpu2, 2)}
        half = folder / "half.jsonl"
        lines = big.read_bytes().splitlines(keepends=True)
        half.write_bytes(b"".join(lines[: len(lines) // 2]))
        del lines
        # -j1 on the whole input over two independent -j1 runs on half of it each, side by side
        results["cli_large"]["machine_parallel_ceiling"] = round(t1 / pair_run(half, folder, families), 2)
        print(f"  CLI on {written / 1e6:.1f} MB: -j1 {t1:.1f} s, -j2 {t2:.1f} s", file=sys.stderr)
        warm_cache, first = cold_start(families)
        results["cold_start_seconds"] = round(warm_cache, 3)
        results["first_run_seconds"] = round(first, 3)

    results["machine"]["load_average_after"] = round(os.getloadavg()[0], 2)
    results["targets"] = _targets(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(markdown(results))
    return 0 if all(t["ok"] for t in results["targets"]) else 1


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    t = r["throughput"]
    ratio = t["despin-clean-j1"]["mb_per_s"] / t["ftfy-clean-j1"]["mb_per_s"]
    spun_core = min(t["despin-spun-j1"]["mb_per_s"], t["despin-spun-j2"]["mb_per_s"] / 2)  # per core
    rss = max(v["rss_mb"] for k, v in t.items() if k.startswith("despin"))
    cli = r["cli_large"]
    cold = r["cold_start_seconds"]
    return [
        {"target": "clean text ≥ 2× ftfy (-j1)", "value": f"{ratio:.3g}×", "ok": ratio >= 2},
        {"target": "spun text ≥ 1 MB/s per core", "value": f"{spun_core:.3g} MB/s", "ok": spun_core >= 1},
        {"target": "cold start ≤ 0.5 s", "value": f"{cold:.2f} s", "ok": cold <= 0.5},
        {"target": "peak RSS ≤ 200 MB per worker", "value": f"{rss:.0f} MB", "ok": rss <= 200},
        {"target": "CLI -j2 ≥ 1.8× -j1 (large input)", "value": f"{cli['speedup']:.2f}×",
         "ok": cli["speedup"] >= 1.8 and cli["identical_output"]},
    ]


def markdown(r: dict[str, Any]) -> str:
    t = r["throughput"]
    m = r["machine"]
    lines = [
        f"`{r['command']}` — Python {m['python']}, {m['cpus']} CPUs ({m['cpu']})"
        + (f", 1-min load average {m['load_average_before']} before, {m['load_average_after']} after"
           if "load_average_before" in m else "") + "; "
        f"lexicon families: {', '.join(r['families']) if isinstance(r['families'], list) else r['families']}",
        "",
        "| text | workers | despin MB/s | ftfy.fix_text MB/s | despin / ftfy | despin peak RSS per worker |",
        "|---|---|---|---|---|---|",
    ]
    for corpus in ("clean", "spun"):
        for jobs in (1, 2):
            d, f = t[f"despin-{corpus}-j{jobs}"], t[f"ftfy-{corpus}-j{jobs}"]
            lines.append(f"| {corpus} ({d['mb']:.1f} MB, {d['docs']} docs) | -j{jobs} | {d['mb_per_s']:.3g} | "
                         f"{f['mb_per_s']:.3g} | {d['mb_per_s'] / f['mb_per_s']:.3g}× | {d['rss_mb']:.0f} MB |")
    c = r["cli_large"]
    lines += [
        "",
        f"CLI, `despin restore --jsonl` on {c['mb']:.1f} MB of clean JSONL: -j1 {c['j1_seconds']:.1f} s, "
        f"-j2 {c['j2_seconds']:.1f} s ({c['speedup']:.2f}×, output identical: {c['identical_output']}; two "
        f"independent -j1 runs on half the input each, side by side: {c.get('machine_parallel_ceiling', 0):.2f}×); "
        f"peak RSS of the largest process {c['j1_peak_rss_mb']:.0f} / {c['j2_peak_rss_mb']:.0f} MB"
        + (f"; CPU time of all processes {c['j1_cpu_seconds']:.1f} / {c['j2_cpu_seconds']:.1f} s (each worker "
           "builds the family indexes its documents need, about 1 s)." if "j1_cpu_seconds" in c else "."),
        f"Cold start (fresh interpreter: `import despin` + first `restore`): {r['cold_start_seconds']:.2f} s "
        "(the very first run, which compiles the lexicons into the disk cache: "
        f"{r.get('first_run_seconds', 0):.2f} s).",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    lines += [f"| {x['target']} | {x['value']} | {'yes' if x['ok'] else 'no'} |" for x in r["targets"]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
