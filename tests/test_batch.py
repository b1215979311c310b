"""restore_many and the worker pool: order, stats, pickling, one load per worker process."""

from __future__ import annotations

import multiprocessing
import os
import pickle

import pytest

import despin
from despin import Restorer
from despin.batch import BatchStats, Workers, restore_many, restore_records

from .conftest import EXAMPLE, ORIG


def _texts(n: int) -> list[str]:
    base = [EXAMPLE, ORIG, "", "Short clean line.", EXAMPLE.upper(), EXAMPLE.replace("\n", "\n\n")]
    return [base[i % len(base)] + (f" #{i}" if i % 3 else "") for i in range(n)]


@pytest.mark.parametrize("workers", [1, 2])
def test_results_in_order_and_equal_to_restore(restorer: Restorer, workers: int) -> None:
    texts = _texts(30)
    batch = restore_many(iter(texts), workers=workers, restorer=restorer, chunk_chars=2500)
    got = list(batch)
    assert got == [restorer.restore(t) for t in texts]
    stats = batch.stats
    analyses = [restorer.analyze(t) for t in texts]
    assert stats.documents == 30
    assert stats.changed_documents == sum(1 for a in analyses if a.changes) > 0
    assert stats.changes == sum(len(a.changes) for a in analyses)
    assert sum(stats.by_reason.values()) == sum(stats.by_family.values()) == stats.changes
    assert stats.by_family["corpustest"] > 0
    assert sum(stats.spin_histogram) == 30
    assert stats.characters == sum(map(len, texts))


def test_stats_are_the_same_for_any_worker_count(restorer: Restorer) -> None:
    texts = _texts(20)
    snaps = []
    for w in (1, 2):
        b = restore_many(texts, workers=w, restorer=restorer, chunk_chars=3000)
        list(b)
        snaps.append(b.stats)
    assert snaps[0] == snaps[1]
    assert snaps[0].to_dict()["spin_histogram"]["edges"][-1] == 1.0


def test_stats_is_a_snapshot(restorer: Restorer) -> None:
    b = restore_many([EXAMPLE, EXAMPLE], restorer=restorer)
    next(b)
    first = b.stats
    list(b)
    assert first.documents == 1 and b.stats.documents == 2
    with pytest.raises(AttributeError):
        first.documents = 5  # type: ignore[misc]
    assert isinstance(first, BatchStats)


def test_options_build_the_restorer() -> None:
    assert list(restore_many(["", "abc"], threshold=2.0, families=())) == ["", "abc"]
    with pytest.raises(TypeError, match="either"):
        restore_many([], restorer=Restorer(), threshold=2.0)
    with pytest.raises(TypeError, match="unknown option"):
        restore_many([], thresold=2.0)


def test_bad_worker_counts() -> None:
    with pytest.raises(ValueError, match="workers"):
        list(restore_many(["x"], workers=-1, families=()))
    assert list(restore_many(["x"], workers=0, families=())) == ["x"]  # one per CPU


@pytest.mark.parametrize("workers", [1, 2])
def test_non_str_items_raise_type_error(workers: int) -> None:
    with pytest.raises(TypeError, match="str"):
        list(restore_many(["fine", b"bytes"], workers=workers, families=()))  # type: ignore[list-item]


def test_close_stops_early(restorer: Restorer) -> None:
    with restore_many((EXAMPLE for _ in range(10_000)), workers=2, restorer=restorer, chunk_chars=1000) as b:
        assert next(b) == restorer.restore(EXAMPLE)
    assert b.stats.documents == 1
    with pytest.raises(StopIteration):
        next(b)


def test_restorer_pickles_as_its_small_config(restorer: Restorer) -> None:
    data = pickle.dumps(restorer)
    assert len(data) < 600
    assert pickle.loads(data).config == restorer.config


def _loads_in_this_process(r: Restorer, chunk: list[str]) -> tuple[int, int, int]:
    from despin import context, lexicon

    for t in chunk:
        r.restore(t)
    return os.getpid(), lexicon.load.cache_info().misses, context.load_model.cache_info().misses


def test_each_worker_loads_lexicons_and_lm_once(restorer: Restorer) -> None:
    # spawn: fresh interpreters, so nothing is inherited from this process's caches.
    ctx = multiprocessing.get_context("spawn")
    chunks = [[EXAMPLE, ORIG]] * 12
    with Workers(restorer, 2, mp_context=ctx) as pool:
        results = list(pool.map(_loads_in_this_process, chunks))
    pids = {pid for pid, _, _ in results}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    for pid in pids:
        final = max((r for r in results if r[0] == pid), key=lambda r: (r[1], r[2]))
        assert final[1:] == (1, 1), final  # one lexicon load and one LM load in that process


def test_restore_records_keeps_other_fields(restorer: Restorer) -> None:
    recs = [{"id": 1, "text": EXAMPLE, "z": [1]}, {"id": 2, "text": None}, {"id": 3}]
    got = restore_records(recs, restorer=restorer)
    assert got[0] == {"id": 1, "text": restorer.restore(EXAMPLE), "z": [1]} and list(got[0]) == ["id", "text", "z"]
    assert got[1:] == recs[1:]
    assert recs[0]["text"] == EXAMPLE  # the input records are not modified


def test_restore_records_keeps_a_text_over_max_chars(lex: str) -> None:
    """In a partition map, one enormous text passes unchanged; the library API still raises."""
    options = {"families": (), "lexicons": (lex,), "max_chars": len(EXAMPLE) + 10}
    big = EXAMPLE * 2
    got = restore_records([{"text": big}, {"text": EXAMPLE}], **options)
    assert got[0]["text"] == big and got[1]["text"] == Restorer(**options).restore(EXAMPLE) != EXAMPLE
    with pytest.raises(despin.TextTooLongError, match="max_chars"):
        Restorer(**options).restore(big)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_input_returns_what_was_read_before_it(restorer: Restorer, workers: int) -> None:
    """The results of the texts read before the input failed come back, then the error, the same
    for any worker count (with 2 workers, the chunks in flight were dropped)."""
    texts = [EXAMPLE if k % 2 else ORIG for k in range(61)]  # the last chunk is a partial one

    def failing():
        yield from texts
        raise OSError("the source broke")

    got = []
    with pytest.raises(OSError, match="source broke"):
        for out in restore_many(failing(), workers=workers, restorer=restorer, chunk_chars=len(EXAMPLE) * 4):
            got.append(out)
    assert got == [restorer.restore(t) for t in texts]


def test_results_are_plain_str(restorer: Restorer) -> None:
    class Text(str):
        pass

    assert all(type(t) is str for t in restore_many([Text("Nothing here."), Text(EXAMPLE)], restorer=restorer))
