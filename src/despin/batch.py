"""Batches: restore many texts in input order, on one or more worker processes, with counts.

>>> from despin.batch import restore_many
>>> batch = restore_many(["", "The committee met on Monday."])
>>> list(batch)
['', 'The committee met on Monday.']
>>> batch.stats.documents, batch.stats.changed_documents
(2, 0)

Workers are processes (``concurrent.futures.ProcessPoolExecutor``): restoring is CPU-bound
Python, so threads would not run in parallel. Each worker receives the ``Restorer``, which
pickles as its small ``Config``, and loads the lexicons and the context model on its first
document, once (``lexicon.load`` and ``context.load_model`` are cached per process). Where
workers are forked (Linux before Python 3.14), the calling process loads them first and the
workers inherit them, so none of them pays for the load. Texts go to
the workers in chunks of about ``chunk_chars`` characters, at most a few chunks per worker in
flight, so memory stays bounded on inputs of any length; results come back in input order, so
the output never depends on the number of workers.

``workers=1`` runs in the calling process with no pool at all. With several workers, code that
calls ``restore_many`` from a script must sit under ``if __name__ == "__main__":`` on platforms
that start workers by spawning (macOS, Windows).
"""

from __future__ import annotations

import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .apply import apply_changes
from .restorer import Restorer

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .restorer import Analysis

T = TypeVar("T")
R = TypeVar("R")

# Default chunk: enough text that shipping it to a worker (pickling, a pipe write: well under a
# millisecond) costs under 1% of restoring it, small enough that workers share even a few MB
# evenly. Measured on the clean dev corpus (1.7 MB) with 2 workers: 256k-character chunks gave
# 1.2x the speed of 1 worker (7 chunks of unequal cost), 64k gave 1.7x, 16k no better than 64k.
CHUNK_CHARS = 64_000
CHUNK_ITEMS = 2_000
# Chunks in flight per worker: one being restored, one queued, one coming back.
IN_FLIGHT_PER_WORKER = 3
# Spin-score histogram: ten bins of width 0.1 over [0, 1]; 1.0 falls in the last bin.
HIST_BINS = 10


# -- per-document outcome and stats -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocOutcome:
    """What one document contributes to the stats (small, so that workers can send it back)."""

    spin: float
    reasons: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    characters: int = 0
    top_flag: float = float("-inf")  # the best flag's score (-inf: no flag, or flags not asked for)

    @property
    def changes(self) -> int:
        return len(self.reasons)

    @classmethod
    def of(cls, analysis: Analysis, characters: int = 0) -> DocOutcome:
        return cls(analysis.report.spin, tuple(c.reason for c in analysis.changes),
                   tuple(c.family for c in analysis.changes), characters,
                   max((f.score for f in analysis.flags), default=float("-inf")))


@dataclass(frozen=True)
class BatchStats:
    """Counts over a batch of documents: a snapshot, never updated after it is taken.

    - ``documents``: documents restored (malformed input is not a document; see ``malformed``).
    - ``changed_documents``: documents with at least one change.
    - ``changes``: changes applied, in all documents; ``by_reason`` and ``by_family`` split them
      by reason code (``spun_word``, ...) and lexicon family.
    - ``spin_histogram``: how many documents have a spin score (``DocReport.spin``, the
      probability that the document was spun) in each of the bins ``[0, 0.1)``, ...,
      ``[0.9, 1.0]``.
    - ``characters``: characters of input text restored.
    - ``malformed``: input records that could not be restored (corpus I/O: bad JSON, a missing
      text field, ...); ``kept`` of them were passed through unchanged, ``skipped`` left out.
    """

    documents: int = 0
    changed_documents: int = 0
    changes: int = 0
    by_reason: Mapping[str, int] = field(default_factory=dict)
    by_family: Mapping[str, int] = field(default_factory=dict)
    spin_histogram: tuple[int, ...] = (0,) * HIST_BINS
    characters: int = 0
    malformed: int = 0
    kept: int = 0
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with sorted keys (the ``--stats`` file)."""
        edges = [round(k / HIST_BINS, 2) for k in range(HIST_BINS + 1)]
        return {
            "documents": self.documents,
            "changed_documents": self.changed_documents,
            "changes": self.changes,
            "changes_by_reason": dict(sorted(self.by_reason.items())),
            "changes_by_family": dict(sorted(self.by_family.items())),
            "spin_histogram": {"edges": edges, "counts": list(self.spin_histogram)},
            "characters": self.characters,
            "malformed": {"lines": self.malformed, "kept": self.kept, "skipped": self.skipped},
        }


class StatsCounter:
    """Accumulates ``DocOutcome`` records into ``BatchStats`` (``snapshot()``)."""

    def __init__(self) -> None:
        self.documents = 0
        self.changed = 0
        self.by_reason: Counter[str] = Counter()
        self.by_family: Counter[str] = Counter()
        self.hist = [0] * HIST_BINS
        self.characters = 0
        self.kept = 0
        self.skipped = 0

    def add(self, outcome: DocOutcome) -> None:
        self.documents += 1
        self.characters += outcome.characters
        if outcome.reasons:
            self.changed += 1
            self.by_reason.update(outcome.reasons)
            self.by_family.update(f or "-" for f in outcome.families)
        self.hist[min(HIST_BINS - 1, max(0, int(outcome.spin * HIST_BINS)))] += 1

    def malformed(self, kept: bool) -> None:
        if kept:
            self.kept += 1
        else:
            self.skipped += 1

    def merge(self, other: BatchStats) -> None:
        """Add another snapshot's counts (to total several files)."""
        self.documents += other.documents
        self.changed += other.changed_documents
        self.by_reason.update(other.by_reason)
        self.by_family.update(other.by_family)
        self.hist = [a + b for a, b in zip(self.hist, other.spin_histogram, strict=True)]
        self.characters += other.characters
        self.kept += other.kept
        self.skipped += other.skipped

    def snapshot(self) -> BatchStats:
        return BatchStats(
            documents=self.documents,
            changed_documents=self.changed,
            changes=sum(self.by_reason.values()),
            by_reason=dict(self.by_reason),
            by_family=dict(self.by_family),
            spin_histogram=tuple(self.hist),
            characters=self.characters,
            malformed=self.kept + self.skipped,
            kept=self.kept,
            skipped=self.skipped,
        )


# -- the worker pool ---------------------------------------------------------------------------

_WORKER_RESTORER: Restorer | None = None


def _init_worker(restorer: Restorer) -> None:
    global _WORKER_RESTORER
    _WORKER_RESTORER = restorer
    # Ctrl-C reaches every process of the group: the parent stops the pool and reports it once,
    # rather than each worker printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_worker(func: Callable[[Restorer, Any], Any], chunk: Any) -> Any:
    assert _WORKER_RESTORER is not None, "worker started without a Restorer"
    return func(_WORKER_RESTORER, chunk)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def resolve_workers(workers: int | None) -> int:
    """``None`` or 0 means one worker per CPU; negative counts are an error. A count above the
    CPUs is capped there: despin is CPU-bound, so more processes add no speed, and each holds
    its own lexicons and LM (about 150 MB); ``-j 99999999`` forked workers until it was killed."""
    if workers is None or workers == 0:
        return usable_cpus()
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
        raise ValueError(f"workers must be a positive int (0 or None: one per CPU), not {workers!r}")
    return min(workers, usable_cpus())


class Workers:
    """A pool of processes, each holding one ``Restorer``, that maps a function over chunks and
    returns the results in input order (``workers=1``: no pool, the calling process does it).

    ``func(restorer, chunk)`` must be a module-level function (it is pickled by name).

    >>> def count_words(r, texts): return [len(t.split()) for t in texts]
    >>> with Workers(Restorer(), 1) as w:
    ...     list(w.map(count_words, [["a b", "c"], ["d e f"]]))
    [[2, 1], [3]]
    """

    def __init__(self, restorer: Restorer, workers: int | None = 1, mp_context: Any = None) -> None:
        self.restorer = restorer
        self.workers = resolve_workers(workers)
        self._mp_context = mp_context
        self._pool: Any = None

    def __enter__(self) -> Workers:
        if self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            ctx = self._mp_context or multiprocessing.get_context()
            if ctx.get_start_method() == "fork":
                # Forked workers inherit what this process has loaded: load it once, here, rather
                # than once in each worker (spawned workers load it on their first document).
                self.restorer.warm(indexes=False)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx,
                                             initializer=_init_worker, initargs=(self.restorer,))
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, func: Callable[[Restorer, T], R], chunks: Iterable[T]) -> Iterator[R]:
        """``func(restorer, chunk)`` for each chunk, in order, with a bounded number in flight."""
        if self._pool is None:
            for chunk in chunks:
                yield func(self.restorer, chunk)
            return
        pending: deque[Future[R]] = deque()
        limit = self.workers * IN_FLIGHT_PER_WORKER
        try:
            try:
                for chunk in chunks:
                    pending.append(self._pool.submit(_run_in_worker, func, chunk))
                    if len(pending) >= limit:
                        yield pending.popleft().result()
            except Exception:
                # the input failed: the chunks read before it still come back (as with one
                # worker), then the error
                while pending:
                    yield pending.popleft().result()
                raise
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def chunked(items: Iterable[T], size: Callable[[T], int], max_size: int = CHUNK_CHARS,
            max_items: int = CHUNK_ITEMS) -> Iterator[list[T]]:
    """Group ``items`` into lists of about ``max_size`` (by ``size``) and at most ``max_items``.
    Where ``items`` raises, the items read before it are yielded first, then the error."""
    chunk: list[T] = []
    total = 0
    try:
        for item in items:
            chunk.append(item)
            total += size(item)
            if total >= max_size or len(chunk) >= max_items:
                yield chunk
                chunk, total = [], 0
    except Exception:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


# -- restore_many ------------------------------------------------------------------------------


def _restore_chunk(restorer: Restorer, texts: Sequence[str]) -> list[tuple[str, DocOutcome]]:
    out = []
    for text in texts:
        a = restorer.analyze(text, flags=False)  # the stats count changes, never flags
        out.append((apply_changes(text, a.changes), DocOutcome.of(a, len(text))))
    return out


class Batch(Iterator[str]):
    """The restored texts of ``restore_many``, in input order, produced as you iterate.

    ``stats`` is a ``BatchStats`` snapshot of the documents restored so far: complete once the
    iteration has finished. ``close()`` (or leaving a ``with`` block) stops the workers early.
    """

    def __init__(self, texts: Iterable[str], restorer: Restorer, workers: int | None,
                 chunk_chars: int, mp_context: Any = None) -> None:
        self._counter = StatsCounter()
        self._workers = Workers(restorer, workers, mp_context)
        self._gen = self._run(texts, chunk_chars)

    def _run(self, texts: Iterable[str], chunk_chars: int) -> Generator[str, None, None]:
        with self._workers as pool:
            chunks = chunked(texts, lambda t: len(t) if isinstance(t, str) else 0, chunk_chars)
            for results in pool.map(_restore_chunk, chunks):
                for text, outcome in results:
                    self._counter.add(outcome)
                    yield text

    def __iter__(self) -> Batch:
        return self

    def __next__(self) -> str:
        return next(self._gen)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._gen.close()
        self._workers.close()

    @property
    def stats(self) -> BatchStats:
        return self._counter.snapshot()


def restore_many(
    texts: Iterable[str],
    *,
    workers: int | None = 1,
    restorer: Restorer | None = None,
    chunk_chars: int = CHUNK_CHARS,
    mp_context: Any = None,
    **options: Any,
) -> Batch:
    """Restore every text of ``texts`` (any iterable, consumed lazily), in order.

    ``workers``: processes to use (1: this process; 0 or ``None``: one per CPU). ``restorer``: the
    ``Restorer`` to use, or ``options`` to build one (``threshold=1.0``, ``families=("news",)``, ...).
    Returns a ``Batch``: iterate it for the restored texts; ``batch.stats`` gives the counts.
    Each result equals ``restorer.restore(text)`` whatever the number of workers. Where
    ``texts`` itself raises, the results of the texts read before come first, then the error.
    """
    if restorer is not None and options:
        raise TypeError("give either a restorer or options, not both")
    r = restorer if restorer is not None else Restorer(**options)
    return Batch(texts, r, workers, chunk_chars, mp_context)


def restore_records(records: Iterable[dict[str, Any]], field: str = "text",
                    restorer: Restorer | None = None, **options: Any) -> list[dict[str, Any]]:
    """Restore ``record[field]`` in each record (a copy; other fields and their order kept).

    Made for partition-wise maps in other engines (Dask ``Bag.map_partitions``, Spark
    ``mapPartitions``, Ray ``map_batches``): records whose field is not a string, or is longer
    than ``max_chars``, pass unchanged rather than fail the whole partition.

    >>> restore_records([{"id": 1, "text": ""}])
    [{'id': 1, 'text': ''}]
    """
    if restorer is not None and options:
        raise TypeError("give either a restorer or options, not both")
    r = restorer if restorer is not None else Restorer(**options)
    out = []
    for rec in records:
        value = rec.get(field)
        out.append({**rec, field: r.restore_or_keep(value)} if isinstance(value, str) else dict(rec))
    return out
