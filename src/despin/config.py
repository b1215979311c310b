"""The one immutable configuration, with the reason for each default."""

from __future__ import annotations

from typing import NamedTuple


class Config(NamedTuple):
    """Options for restoring text. Override any field by keyword: ``restore(text, threshold=2)``.

    - ``threshold`` (default 0.15, in the score's unit: log10 odds that the change is right, as
      calibrated on the dev pages, see ``score.CAL_SLOPE``): a change is applied when its score
      reaches it. 0.15 means about 59%. On the news dev passages, 0.06, 0.15, 0.24 and 0.41 gave
      recall 0.855/0.830/0.784/0.599 and precision 0.905/0.912/0.927/0.948 (seed included): 0.15
      kept the seed's first half at 0.935/0.957 when it was chosen. The wrong changes are confident ones, so a
      higher threshold buys little precision.
      Spans below it are still reported by ``scan``, with their candidates.
    - ``families`` (default ``None``: every shipped family): lexicon families to use (one name,
      or a sequence of names).
    - ``lexicons`` (default ``()``): paths of extra user lexicons in the same TSV format (one
      path, or a sequence of paths).
    - ``keep`` (default ``()``): paths of the user's keep-lists, phrases never to change (one
      phrase per line, or ``phrase<TAB>note`` rows as in the shipped ``keep.tsv``): a lexicon
      match inside an occurrence of one is neither changed nor flagged. For a corpus's own terms
      that look spun ("final 12 months" in a finance corpus), or one word (``mentioned``).
    - ``model`` (default ``"trigram"``): the context model, ``"trigram"`` (pocketsphinx, falls
      back to ``"unigram"`` when unavailable) or ``"unigram"`` (wordfreq only).
    - ``restore_names`` (default ``False``): also apply changes inside capitalised names
      mid-sentence. Off because a wrong change to a name is costly and names are often genuine;
      such spans are still flagged.
    - ``fix_articles`` (default ``True``): change a/an before a restored word when its first
      sound differs from the spun word's.
    - ``max_chars`` (default 50,000,000): longer inputs raise ``TextTooLongError`` (a
      ``ValueError``) rather than tie up a worker; split them first. The corpus command line and
      the pipeline integrations pass such a document through unchanged and count it.

    A value the pipeline cannot use (a threshold that is not a finite number, an unknown model or
    family, bytes for a name or path, a flag that is not a bool) raises ``TypeError`` or
    ``ValueError`` (``LexiconError`` for a family) when the ``Restorer`` is made, not at its first
    document.
    """

    threshold: float = 0.15
    families: tuple[str, ...] | None = None
    lexicons: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    model: str = "trigram"
    restore_names: bool = False
    fix_articles: bool = True
    max_chars: int = 50_000_000
