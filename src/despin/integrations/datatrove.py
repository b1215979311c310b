"""datatrove steps: ``DespinFormatter`` restores ``doc.text``; ``DespinFilter`` drops spun documents.

>>> from despin.integrations.datatrove import DespinFormatter, DespinFilter
>>> DespinFormatter(threshold=1.0).restorer.config.threshold
1.0

Both hold one ``Restorer``, which pickles as its small config: executors ship the steps to
their workers (``LocalPipelineExecutor`` through multiprocess, Slurm through dill, Ray through
cloudpickle) for a few hundred bytes each, and every worker process loads the lexicons and the
context model on its first document, once. ftfy's ``FTFYFormatter`` in datatrove is the pattern.

Counts go to datatrove's stats (``stat_update``): ``total``, ``changed_docs``, ``changes`` (per
document) and ``changes_<reason>`` for each reason code (``changes_spun_word``, ...), and
``too_long_docs``: documents longer than ``max_chars``, passed through unchanged (and never
dropped by the filter) rather than failing the task; ``not_text_docs`` likewise for a text that
is not a string (a custom reader's ``None``).

With ``metadata_key`` (default ``"despin"``) the formatter records each document's report in
``doc.metadata[metadata_key]`` (``spin``, ``family``, ``changes``), measured on the text as it
arrived. ``metadata_key=None`` records nothing. A ``DespinFilter`` judges the text as it reaches
it: after a formatter that changed nothing it reuses the recorded spin score; a restored text it
analyses again. (Reusing the score of the text before restoration, the documented recipe,
formatter then ``DespinFilter(max_spin=0.9)``, dropped 69 of the 70 documents it had just
restored.)
"""

from __future__ import annotations

from typing import Any

from ..apply import apply_changes
from ..restorer import Restorer, TextTooLongError

try:
    from datatrove.data import Document, DocumentsPipeline
    from datatrove.pipeline.filters.base_filter import BaseFilter
    from datatrove.pipeline.formatters.base import BaseFormatter
    from datatrove.utils.typeshelper import StatHints
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "despin.integrations.datatrove needs datatrove: pip install 'despin[datatrove]'"
    ) from e

__all__ = ["DespinFilter", "DespinFormatter"]


def _restorer(restorer: Restorer | None, options: dict[str, Any]) -> Restorer:
    if restorer is not None and options:
        raise TypeError("give either a restorer or despin options, not both")
    return restorer if restorer is not None else Restorer(**options)


class DespinFormatter(BaseFormatter):
    """Restore machine-spun text in ``doc.text``.

    Options are ``despin.Config`` fields (``threshold``, ``families``, ``lexicons``,
    ``restore_names``, ...), or pass a ready ``restorer``.
    """

    name = "🌀 despin"

    def __init__(self, restorer: Restorer | None = None, metadata_key: str | None = "despin",
                 **options: Any) -> None:
        super().__init__()
        self.restorer = _restorer(restorer, options)
        self.metadata_key = metadata_key

    def format(self, text: str) -> str:
        return self.restorer.restore(text)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            self.stat_update(StatHints.total)
            if not isinstance(doc.text, str):  # a custom reader's None: passed through, as too long ones
                self.stat_update("not_text_docs")
                yield doc
                continue
            with self.track_time():
                try:
                    a = self.restorer.analyze(doc.text)
                except TextTooLongError:
                    self.stat_update("too_long_docs")  # passed through unchanged, counted
                    yield doc
                    continue
                if self.metadata_key:
                    doc.metadata[self.metadata_key] = {
                        "spin": a.report.spin, "family": a.report.family, "changes": len(a.changes)}
                if a.changes:
                    doc.text = apply_changes(doc.text, a.changes)
                    self.stat_update("changed_docs")
                    self.stat_update("changes", value=len(a.changes))
                    reasons: dict[str, int] = {}
                    for c in a.changes:
                        reasons[c.reason] = reasons.get(c.reason, 0) + 1
                    for reason, n in sorted(reasons.items()):
                        self.stat_update(f"changes_{reason}", value=n)
            yield doc


class DespinFilter(BaseFilter):
    """Drop documents whose spin score (``DocReport.spin``: the probability, 0 to 1, that the
    document was machine-spun) is above ``max_spin``; dropped ones count as ``dropped_spun``
    and go to ``exclusion_writer`` when one is given.

    The score is that of ``doc.text`` as it reaches the filter: read from
    ``doc.metadata[metadata_key]`` when a ``DespinFormatter`` earlier in the pipeline recorded it
    and made no change, and computed from ``doc.text`` otherwise.
    """

    name = "🌀 despin filter"

    def __init__(self, max_spin: float = 0.5, exclusion_writer: Any = None, restorer: Restorer | None = None,
                 metadata_key: str | None = "despin", **options: Any) -> None:
        super().__init__(exclusion_writer)
        if not 0.0 <= max_spin <= 1.0:
            raise ValueError(f"max_spin is a probability, 0 to 1, not {max_spin!r}")
        self.max_spin = max_spin
        self.metadata_key = metadata_key
        self.restorer = _restorer(restorer, options)

    def spin(self, doc: Document) -> float:
        known = doc.metadata.get(self.metadata_key) if self.metadata_key else None
        if isinstance(known, dict) and isinstance(known.get("spin"), (int, float)) and known.get("changes") == 0:
            return float(known["spin"])  # the text the formatter measured is the text here
        return self.restorer.analyze(doc.text, flags=False).report.spin

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if not isinstance(doc.text, str):
            self.stat_update("not_text_docs")  # not measured, so not dropped
            return True
        try:
            spin = self.spin(doc)
        except TextTooLongError:
            self.stat_update("too_long_docs")  # not measured, so not dropped
            return True
        if spin > self.max_spin:
            return False, "spun"
        return True
