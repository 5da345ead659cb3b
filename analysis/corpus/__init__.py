"""The corpus: the Parquet store, story groups, selection and the per-article cache."""
