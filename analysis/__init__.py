"""
media-coverage-analysis: measure how the news covered a story.

The public API is re-exported here lazily, so ``import analysis`` is cheap and a
notebook can call ``analysis.load_articles(...)``, ``analysis.term_counts(...)``
and so on without knowing the module layout. The helpers that have a Dask version
(``analysis.engine.dask.DASK_VERSIONS``) take a pandas or a Dask articles table alike.
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
    "load_articles": "readers.loaders",
    "load_report": "readers.loaders",
    "open_corpus": "corpus.store",
    "ingest": "corpus.store",
    "ensure_nltk_data": "text.nlp",
    "stopwords": "text.nlp",
    "split_sentences": "text.nlp",
    # scraped pages
    "parse_text_dump": "readers.cleaning",
    "parse_text_dumps": "readers.cleaning",
    "learn_chrome": "readers.cleaning",
    "parse_html": "readers.html",
    "find_duplicates": "corpus.duplicates",
    "dedupe": "corpus.duplicates",
    "detect_language": "text.language",
    "flag_languages": "text.language",
    "english_only": "text.language",
    # word frequencies
    "tokenize": "text.tokens",
    "term_counts": "measures.terms",
    "collocations": "measures.terms",
    "term_trends": "measures.terms",
    "keyness": "measures.terms",
    "volume": "measures.terms",
    "kwic": "measures.kwic",
    "KwicIndex": "measures.kwic",
    "load_dictionary": "measures.dictionaries",
    "dictionary_counts": "measures.dictionaries",
    "bundled_dictionaries": "measures.dictionaries",
    "house_style": "plots",
    "plot_top_terms": "plots",
    "plot_trends": "plots",
    "plot_keyness": "plots",
    "plot_volume_heatmap": "plots",
    "plot_category_rates": "plots",
    # tone and sources
    "sentiment_scores": "measures.sentiment",
    "article_sentiment": "measures.sentiment",
    "tone_by": "measures.tone",
    "targeted_tone": "measures.tone",
    "extreme_sentences": "measures.tone",
    "sentence_sentiment": "measures.sentiment",
    "tone_distribution": "measures.tone",
    "mentions": "measures.tone",
    "plot_tone": "plots",
    "plot_tone_trend": "plots",
    "plot_tone_distribution": "plots",
    "extract_quotes": "measures.quotes",
    "who_is_quoted": "measures.quotes",
    "read_brat": "measures.quotes",
    "evaluate_quotes": "measures.quotes",
    # reports
    "run_report": "report.run",
    "load_corpus": "report.run",
    "select_articles": "report.run",
    "require_articles": "report.run",
    "save_figure": "report.run",
    "show_table": "report.run",
    "parse_date_range": "report.run",
    "corpus_overview": "report.run",
    "tally": "report.run",
    "two_groups": "report.run",
    "add_article_column": "report.run",
    "corpus_path": "report.run",
    "n_groups": "report.run",
    "cached_by_article": "report.run",
    # larger corpora (Dask)
    "open_corpus_engine": "engine.dask",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

#: helpers with a Dask version (``analysis.engine.dask.DASK_VERSIONS``; a test keeps them equal),
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
        from analysis.engine.dask import engine_aware

        value = engine_aware(value)
    globals()[name] = value
    return value


def __dir__():
    return __all__
