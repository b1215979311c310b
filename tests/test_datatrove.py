"""datatrove steps, run by datatrove's own executor on real JSONL files, and pickled as the Slurm
(dill) and Ray (cloudpickle) executors pickle them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

pytest.importorskip("datatrove")
pytest.importorskip("orjson")  # datatrove's JSONL reader and writer

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from despin import Restorer  # noqa: E402
from despin.integrations.datatrove import DespinFilter, DespinFormatter  # noqa: E402

from .conftest import EXAMPLE, ORIG


@pytest.fixture(scope="session")
def options(lex: str) -> dict[str, object]:
    """The test lexicon alone: independent of the shipped lexicons, and quick to load."""
    return {"families": (), "lexicons": (lex,)}


def _corpus(folder: Path) -> dict[str, str]:
    """Two JSONL files (one per task): spun and clean documents. Returns id -> text."""
    folder.mkdir()
    texts = {}
    for k in range(2):
        with open(folder / f"part-{k}.jsonl", "w", encoding="utf-8") as f:
            for i, text in enumerate([EXAMPLE, ORIG, EXAMPLE.replace("£", "$")]):
                doc_id = f"{k}-{i}"
                texts[doc_id] = text
                f.write(json.dumps({"id": doc_id, "text": text, "source": "test"}) + "\n")
    return texts


def _read_output(folder: Path) -> dict[str, dict[str, object]]:
    docs = {}
    for p in sorted(folder.glob("*.jsonl.gz")):
        for line in gzip.decompress(p.read_bytes()).decode("utf-8").splitlines():
            d = json.loads(line)
            docs[d["id"]] = d
    return docs


def _stat(stats: list[dict[str, object]], step_name: str, key: str) -> float:
    """A counter from datatrove's merged stats.json (one entry per step, named "TYPE: name")."""
    for step in stats:
        if str(step["name"]).endswith(f": {step_name}"):
            value = step["stats"].get(key, 0)  # type: ignore[attr-defined]
            return float(value["total"] if isinstance(value, dict) else value)
    raise KeyError(step_name)


def test_formatter_and_filter_in_local_executor(tmp_path: Path, options: dict[str, object]) -> None:
    texts = _corpus(tmp_path / "in")
    r = Restorer(**options)  # type: ignore[arg-type]
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            DespinFormatter(**options),
            JsonlWriter(str(tmp_path / "restored")),
            DespinFilter(max_spin=0.5, **options),
            JsonlWriter(str(tmp_path / "kept")),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()

    restored = _read_output(tmp_path / "restored")
    assert set(restored) == set(texts)
    for doc_id, text in texts.items():
        a = r.analyze(text)
        assert restored[doc_id]["text"] == r.restore(text)
        meta = restored[doc_id]["metadata"]
        assert meta["source"] == "test"  # type: ignore[index]
        assert meta["despin"] == {"spin": a.report.spin, "family": a.report.family,  # type: ignore[index]
                                  "changes": len(a.changes)}

    # the filter judges the text that reaches it: a restored document is kept unless still spun
    # (the spin recorded before restoration had dropped every document the formatter repaired)
    kept = _read_output(tmp_path / "kept")
    arrived_spun = {i for i, t in texts.items() if r.analyze(t).report.spin > 0.5}
    spun = {i for i, t in texts.items() if r.analyze(r.restore(t)).report.spin > 0.5}
    assert arrived_spun - spun, "precondition: the formatter repairs some spun documents"
    assert set(kept) == set(texts) - spun

    stats = json.loads((tmp_path / "logs" / "stats.json").read_text(encoding="utf-8"))
    analyses = [r.analyze(t) for t in texts.values()]
    assert _stat(stats, DespinFormatter.name, "total") == len(texts)
    assert _stat(stats, DespinFormatter.name, "changed_docs") == sum(1 for a in analyses if a.changes)
    assert _stat(stats, DespinFormatter.name, "changes") == sum(len(a.changes) for a in analyses)
    n_words = sum(1 for a in analyses for c in a.changes if c.reason == "spun_word")
    assert _stat(stats, DespinFormatter.name, "changes_spun_word") == n_words
    assert _stat(stats, DespinFilter.name, "dropped_spun") == len(spun)


def test_filter_computes_spin_without_a_formatter(options: dict[str, object]) -> None:
    f = DespinFilter(max_spin=0.5, **options)
    assert f.filter(Document(text=EXAMPLE, id="a")) == (False, "spun")
    assert f.filter(Document(text=ORIG, id="b")) is True
    with pytest.raises(ValueError, match="probability"):
        DespinFilter(max_spin=5)


def test_filter_reuses_the_formatters_score_only_for_an_unchanged_text(options: dict[str, object]) -> None:
    f = DespinFilter(max_spin=0.5, **options)
    assert f.filter(Document(text=ORIG, id="a", metadata={"despin": {"spin": 0.99, "changes": 0}})) \
        == (False, "spun")  # the text the formatter measured: its score holds
    assert f.filter(Document(text=ORIG, id="b", metadata={"despin": {"spin": 0.99, "changes": 3}})) is True


def test_a_document_without_text_passes_through_counted(options: dict[str, object]) -> None:
    fmt, flt = DespinFormatter(**options), DespinFilter(**options)
    doc = Document(text="", id="a")
    doc.text = None  # type: ignore[assignment]  # as a custom reader may leave it
    assert list(fmt.run(iter([doc]))) == [doc] and flt.filter(doc) is True
    assert fmt.stats["not_text_docs"].total == 1 and flt.stats["not_text_docs"].total == 1


def test_a_document_over_max_chars_passes_through_counted(options: dict[str, object]) -> None:
    """One enormous document must not fail a datatrove task: it is kept unchanged, counted, and
    not dropped by the filter; the documents around it are restored as usual."""
    limit = len(EXAMPLE) + 10
    fmt = DespinFormatter(max_chars=limit, **options)
    big = EXAMPLE * 2
    docs = list(fmt.run(iter([Document(text=EXAMPLE, id="a"), Document(text=big, id="b"),
                              Document(text=EXAMPLE, id="c")])))
    assert [d.text for d in docs] == [fmt.format(EXAMPLE), big, fmt.format(EXAMPLE)]
    assert fmt.stats["too_long_docs"].total == 1 and fmt.stats["changed_docs"].total == 2
    flt = DespinFilter(max_chars=limit, metadata_key=None, **options)
    assert flt.filter(Document(text=big, id="b")) is True
    assert flt.filter(Document(text=EXAMPLE, id="a")) == (False, "spun")
    assert flt.stats["too_long_docs"].total == 1


@pytest.mark.parametrize("module", ["dill", "cloudpickle"])
def test_steps_pickle_small_and_work_after_the_round_trip(module: str, options: dict[str, object]) -> None:
    pickler = pytest.importorskip(module)
    fmt, flt = DespinFormatter(**options), DespinFilter(**options)
    for step in (fmt, flt):
        data = pickler.dumps(step)
        assert len(data) < 8_000, len(data)  # the config, not the lexicons or the model
        back = pickler.loads(data)
        assert back.restorer.config == step.restorer.config
    fmt2 = pickler.loads(pickler.dumps(fmt))
    assert fmt2.format(EXAMPLE) == Restorer(**options).restore(EXAMPLE) != EXAMPLE  # type: ignore[arg-type]
    docs = list(fmt2.run(iter([Document(text=EXAMPLE, id="x")])))
    assert docs[0].text == fmt2.format(EXAMPLE)
    flt2 = pickler.loads(pickler.dumps(flt))
    assert flt2.filter(Document(text=EXAMPLE, id="y")) == (False, "spun")


def test_restorer_or_options_not_both(options: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="either"):
        DespinFormatter(restorer=Restorer(), threshold=1.0)
    r = Restorer(**options)  # type: ignore[arg-type]
    assert DespinFormatter(restorer=r).restorer is r
