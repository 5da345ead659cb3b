"""
media-coverage-analysis: measure how the news covered a story.

The public API is re-exported here lazily, so ``import analysis`` is cheap and a
notebook can call ``analysis.load_articles(...)``, ``analysis.term_counts(...)``
and so on without knowing the module layout. Every measure takes a pandas or a
Dask articles table alike (see :mod:`analysis.engine`).
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
    "open_corpus": "engine.open",
    "ingest": "corpus.store",
    "ensure_nltk_data": "text.nlp",
    "stopwords": "text.nlp",
    "split_sentences": "text.nlp",
    "spelling_variants": "text.variants",
    # scraped pages
    "parse_text_dump": "readers.cleaning",
    "parse_text_dumps": "readers.cleaning",
    "learn_chrome": "readers.cleaning",
    "parse_html": "readers.html",
    "find_duplicates": "engine.stories",
    "dedupe": "corpus.duplicates",
    "detect_language": "text.language",
    "flag_languages": "text.language",
    "english_only": "text.language",
    # word frequencies
    "tokenize": "text.tokens",
    "term_counts": "measures.terms",
    "collocations": "measures.terms",
    "term_trends": "measures.terms",
    "keyness": "measures.keyness",
    "keyness_note": "measures.keyness",
    "removed_lines": "corpus.furniture",
    "removed_note": "corpus.furniture",
    "volume": "measures.terms",
    "kwic": "measures.kwic",
    "KwicIndex": "measures.kwic",
    "match": "measures.queries",
    "parse_query": "text.query",
    "query_terms": "text.query",
    "load_dictionary": "measures.dictionaries",
    "dictionary_counts": "measures.dictionaries",
    "bundled_dictionaries": "measures.dictionaries",
    "dictionary_tone": "measures.dictionary_tone",
    "house_style": "plots",
    "plot_top_terms": "plots",
    "plot_trends": "plots",
    "plot_keyness": "plots",
    "plot_volume_heatmap": "plots",
    "plot_category_rates": "plots",
    # stories by query
    "attention": "measures.attention",
    "attention_peaks": "measures.attention",
    "plot_attention": "plots",
    # where: places named
    "resolve_places": "measures.places",
    "place_counts": "measures.places",
    "plot_place_map": "plots",
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
    # validation against human codes
    "validate_measure": "measures.validation",
    "validation_note": "measures.validation",
    "validate_tone": "measures.tone_validation",
    "agreement_table": "measures.tone_validation",
    "save_validation": "corpus.validations",
    "load_validation": "corpus.validations",
    "validations": "corpus.validations",
    # manual coding and intercoder reliability
    "read_codebook": "readers.coding",
    "EXAMPLE_CODEBOOK": "readers.coding",
    "read_codes": "readers.coding",
    "coding_sample": "measures.coding",
    "sample_design": "measures.coding",
    "coded_units": "measures.coding",
    "write_coding_sheets": "report.sheets",
    "sheets_for_report": "report.sheets",
    "codes_note": "report.sheets",
    "reliability": "measures.reliability",
    "disagreements": "measures.reliability",
    # who and where
    "entities": "measures.entities",
    "top_actors": "measures.actors",
    "without_own_outlet": "measures.actors",
    "rising_actors": "measures.actors",
    "co_mentions": "measures.actors",
    "actor_tone": "measures.actors",
    "quote_actors": "measures.actors",
    "mentioned_vs_quoted": "measures.actors",
    "read_aliases": "text.actors",
    "plot_co_mentions": "plots",
    "plot_mentioned_vs_quoted": "plots",
    # topics
    "topics": "measures.topics",
    "TopicModel": "measures.topics",
    "load_topics": "measures.topics",
    "topic_k_scores": "measures.topics",
    "topic_prevalence": "measures.topics",
    "topic_difference": "measures.topics",
    "plot_topic_heatmap": "plots",
    "plot_topic_trends": "plots",
    "plot_topic_k": "plots",
    "plot_topic_difference": "plots",
    "saved_topics": "report.topics",
    # reports
    "run_report": "report.run",
    "load_corpus": "engine.open",
    "select_articles": "engine.selection",
    "require_articles": "engine.selection",
    "save_figure": "report.display",
    "show_table": "report.display",
    "show_note": "report.display",
    "side_by_side": "report.display",
    "show_findings": "report.display",
    "findings": "measures.findings",
    "article_ids": "measures.cells",
    "term_articles": "measures.cells",
    "articles_behind": "measures.cells",
    "drilldown": "report.drilldown",
    "drilldown_articles": "report.drilldown",
    "parse_date_range": "corpus.selection",
    "corpus_overview": "measures.overview",
    "tally": "measures.overview",
    "metadata_only_note": "measures.overview",
    "two_groups": "engine.selection",
    "add_article_column": "measures.overview",
    "corpus_path": "engine.open",
    "n_groups": "measures.overview",
    "cached_by_article": "engine",
    # larger corpora (Dask)
    "open_corpus_engine": "engine.open",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
