"""
media-coverage-analysis: measure how the news covered a story.

The public API is re-exported here lazily, so ``import analysis`` is cheap and a
notebook can call ``analysis.load_articles(...)``, ``analysis.term_counts(...)``
and so on without knowing the module layout. The helpers that have a Dask version
(``analysis.scale.DASK_VERSIONS``) take a pandas or a Dask articles table alike.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # foundation
    "SCHEMA": "schema",
    "validate": "schema",
    "describe_schema": "schema",
    "AnalysisError": "errors",
    "InputError": "errors",
    "SchemaError": "errors",
    "ParameterError": "errors",
    "load_articles": "loaders",
    "load_report": "loaders",
    "open_corpus": "store",
    "ingest": "store",
    "ensure_nltk_data": "nlp",
    "stopwords": "nlp",
    "split_sentences": "nlp",
    # scraped pages
    "parse_text_dump": "cleaning",
    "parse_text_dumps": "cleaning",
    "learn_chrome": "cleaning",
    "parse_html": "html",
    "find_duplicates": "duplicates",
    "dedupe": "duplicates",
    "detect_language": "language",
    "flag_languages": "language",
    "english_only": "language",
    # word frequencies
    "tokenize": "tokens",
    "term_counts": "terms",
    "collocations": "terms",
    "term_trends": "terms",
    "keyness": "terms",
    "volume": "terms",
    "kwic": "kwic",
    "KwicIndex": "kwic",
    "load_dictionary": "dictionaries",
    "dictionary_counts": "dictionaries",
    "bundled_dictionaries": "dictionaries",
    "house_style": "plots",
    "plot_top_terms": "plots",
    "plot_trends": "plots",
    "plot_keyness": "plots",
    "plot_volume_heatmap": "plots",
    "plot_category_rates": "plots",
    # tone and sources
    "sentiment_scores": "sentiment",
    "article_sentiment": "sentiment",
    "tone_by": "sentiment",
    "targeted_tone": "sentiment",
    "extreme_sentences": "sentiment",
    "sentence_sentiment": "sentiment",
    "tone_distribution": "sentiment",
    "mentions": "sentiment",
    "plot_tone": "sentiment",
    "plot_tone_trend": "sentiment",
    "plot_tone_distribution": "sentiment",
    "extract_quotes": "quotes",
    "who_is_quoted": "quotes",
    "read_brat": "quotes",
    "evaluate_quotes": "quotes",
    # reports
    "run_report": "reporting",
    "load_corpus": "reporting",
    "select_articles": "reporting",
    "require_articles": "reporting",
    "save_figure": "reporting",
    "show_table": "reporting",
    "parse_date_range": "reporting",
    "corpus_overview": "reporting",
    "tally": "reporting",
    "two_groups": "reporting",
    "add_article_column": "reporting",
    "corpus_path": "reporting",
    "n_groups": "reporting",
    "cached_by_article": "reporting",
    # larger corpora (Dask)
    "open_corpus_engine": "scale",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

#: helpers with a Dask version (``analysis.scale.DASK_VERSIONS``; a test keeps them equal),
#: listed here so that fetching any other helper imports nothing more
_DASK_NAMES = frozenset(
    {
        "add_article_column", "article_sentiment", "cached_by_article", "corpus_overview",
        "dictionary_counts", "extract_quotes", "extreme_sentences", "find_duplicates",
        "keyness", "kwic", "n_groups", "require_articles", "select_articles",
        "sentence_sentiment", "tally", "targeted_tone", "term_counts", "term_trends",
        "tone_by", "two_groups", "volume", "who_is_quoted",
    }
)  # fmt: skip


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if name in _DASK_NAMES:
        # a helper with a Dask version runs it when given a Dask table (dask itself
        # is imported only then); other helpers come back unchanged
        from .scale import engine_aware

        value = engine_aware(value)
    globals()[name] = value
    return value


def __dir__():
    return __all__
