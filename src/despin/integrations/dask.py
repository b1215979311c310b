"""Dask: restore a bag of JSON records, or a dataframe's text column, partition by partition.

The functions given to ``map_partitions`` are module-level, so Dask ships them by name; the
options (``despin.Config`` fields) travel with each task, a few hundred bytes, and each worker
process loads the lexicons and the context model once, on its first partition. Use one thread
per worker (``LocalCluster(threads_per_worker=1)``): restoring is CPU-bound Python, so more
threads in one process would only take turns.

Bag of records, read from JSONL and written back (the recipe tested in ``tests/test_dask.py``;
see ``docs/corpus.md``)::

    bag = db.read_text("shards/*.jsonl.gz").map(json.loads)
    restore_bag(bag, field="text").map(json.dumps).to_textfiles("restored/*.jsonl.gz")

Dataframe (``despin[dask]`` brings dask.dataframe)::

    ddf = dd.read_json("shards/*.jsonl", lines=True)
    restore_dataframe(ddf, column="text").to_parquet("restored/")
"""

from __future__ import annotations

from typing import Any

from ..batch import restore_records
from ..restorer import Restorer

try:
    import dask  # noqa: F401  (only to fail early with the install hint)
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("despin.integrations.dask needs dask: pip install 'despin[dask]'") from e

__all__ = ["restore_bag", "restore_dataframe", "restore_frame", "restore_records"]


def restore_bag(bag: Any, field: str = "text", **options: Any) -> Any:
    """A bag of dict records with ``record[field]`` restored (other fields kept, in order)."""
    return bag.map_partitions(restore_records, field=field, **options)


def restore_frame(df: Any, column: str = "text", **options: Any) -> Any:
    """A copy of the pandas DataFrame ``df`` with the strings of ``column`` restored (other values,
    and strings longer than ``max_chars``, kept)."""
    r = Restorer(**options)
    out = df.copy()
    col = df[column]
    # a Series of the column's own dtype: a list gave "string[pyarrow]" back as object, with NaN for
    # <NA>, and an all-missing partition disagreed with the dtype Dask expects of every partition
    out[column] = type(col)([r.restore_or_keep(t) if isinstance(t, str) else t for t in col],
                            index=col.index, dtype=col.dtype, name=col.name)
    return out


def restore_dataframe(ddf: Any, column: str = "text", **options: Any) -> Any:
    """A Dask DataFrame with the strings of ``column`` restored, partition by partition."""
    return ddf.map_partitions(restore_frame, column=column, meta=ddf._meta, **options)
