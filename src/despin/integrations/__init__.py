"""Adapters for corpus pipelines. Each module imports its framework only when it is imported
itself, and says which extra to install when the framework is missing:

- ``despin.integrations.datatrove``: ``DespinFormatter`` and ``DespinFilter`` steps
  (``pip install 'despin[datatrove]'``).
- ``despin.integrations.dask``: partition functions for Dask bags and dataframes
  (``pip install 'despin[dask]'``).

Recipes for Spark and ``datasets.map`` are in ``docs/corpus.md``; they need nothing but
``despin.batch.restore_records`` or a ``Restorer``.
"""
