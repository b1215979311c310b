"""The Dask recipe of docs/corpus.md, run as written on a 2-worker LocalCluster."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
pytest.importorskip("distributed")

from despin import Restorer  # noqa: E402
from despin.integrations.dask import restore_frame  # noqa: E402

from .conftest import EXAMPLE, ORIG

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "corpus.md"

OPTIONS_LINE = 'options = {"threshold": 0.5}'


def _recipe() -> str:
    doc = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- dask-recipe -->\s*```python\n(.*?)```", doc, re.DOTALL)
    assert m, "docs/corpus.md has no <!-- dask-recipe --> python block"
    return m.group(1)


def test_dask_bag_recipe_on_a_local_cluster(tmp_path: Path, lex: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _recipe()
    assert code.count(OPTIONS_LINE) == 1
    # The documented code, with the test lexicon alone (quick to load, independent of the shipped ones).
    options = {"threshold": 0.5, "families": (), "lexicons": (lex,)}
    code = code.replace(OPTIONS_LINE, f"options = {options!r}")

    shards = tmp_path / "shards"
    shards.mkdir()
    records = []
    for k in range(2):
        part = [{"id": f"{k}-{i}", "text": t, "meta": {"k": k}} for i, t in enumerate([EXAMPLE, ORIG, ""])]
        records += part
        (shards / f"{k}.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in part).encode()))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(DOC), "exec"), {"__name__": "__main__"})

    out = {}
    for p in sorted((tmp_path / "restored").glob("*.jsonl.gz")):
        for line in gzip.decompress(p.read_bytes()).decode("utf-8").splitlines():
            rec = json.loads(line)
            out[rec["id"]] = rec
    r = Restorer(**options)  # type: ignore[arg-type]
    assert r.restore(EXAMPLE) != EXAMPLE
    assert out == {rec["id"]: {**rec, "text": r.restore(rec["text"])} for rec in records}
    assert all(list(out[rec["id"]]) == list(rec) for rec in records)  # field order kept


def test_restore_frame_on_pandas(lex: str) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"id": [1, 2, 3], "text": [EXAMPLE, ORIG, None]})
    got = restore_frame(df, column="text", families=(), lexicons=(lex,))
    r = Restorer(families=(), lexicons=(lex,))
    assert list(got["text"][:2]) == [r.restore(EXAMPLE), r.restore(ORIG)] and pd.isna(got["text"][2])
    assert list(df["text"][:1]) == [EXAMPLE]  # the input frame is not modified
    # a text over max_chars is kept, not a failed partition
    big = EXAMPLE * 2
    got = restore_frame(pd.DataFrame({"text": [big, EXAMPLE]}), column="text", families=(), lexicons=(lex,),
                        max_chars=len(EXAMPLE) + 10)
    assert list(got["text"]) == [big, r.restore(EXAMPLE)]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string", "object"])
def test_restore_frame_keeps_the_columns_dtype(lex: str, dtype: str) -> None:
    """A list assigned to the column made "string[pyarrow]" object, <NA> NaN, and an all-missing
    partition a dtype that disagreed with the others'."""
    pd = pytest.importorskip("pandas")
    if dtype == "string[pyarrow]":
        pytest.importorskip("pyarrow")
    r = Restorer(families=(), lexicons=(lex,))
    for texts in ([EXAMPLE, None, ORIG], [None, None]):
        df = pd.DataFrame({"text": pd.Series(texts, dtype=dtype)})
        got = restore_frame(df, column="text", families=(), lexicons=(lex,))["text"]
        assert got.dtype == df["text"].dtype
        assert [None if pd.isna(t) else t for t in got] == [t if t is None else r.restore(t) for t in texts]


def test_restore_dataframe_on_a_dask_dataframe(lex: str) -> None:
    pytest.importorskip("dask.dataframe")  # needs dask[dataframe] (pandas, pyarrow)
    import dask
    import dask.dataframe as dd
    import pandas as pd

    from despin.integrations.dask import restore_dataframe

    df = pd.DataFrame({"id": list(range(6)), "text": [EXAMPLE, ORIG, "x"] * 2})
    ddf = dd.from_pandas(df, npartitions=2)
    with dask.config.set(scheduler="processes", num_workers=2):
        got = restore_dataframe(ddf, column="text", families=(), lexicons=(lex,)).compute()
    r = Restorer(families=(), lexicons=(lex,))
    assert list(got["text"]) == [r.restore(t) for t in df["text"]] and list(got["id"]) == list(range(6))
