"""The corpus: the Parquet store, story groups, selection, the per-article cache and the cache files of the measures."""
