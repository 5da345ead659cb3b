"""The topic model of a report: fitted once, saved in the corpus folder, reused by later runs."""

from __future__ import annotations

import logging
from typing import Any

from analysis.corpus.topicfiles import check_topic_name, has_topic_files
from analysis.engine import corpus_folder, is_dask, row_count
from analysis.errors import InputError
from analysis.measures.topics import TopicModel, topics
from analysis.schema import with_text

log = logging.getLogger(__name__)

#: A selection with fewer articles than this gets no topics.
MIN_ARTICLES = 10


def saved_topics(
    articles: Any,
    *,
    k: int | None = None,
    refit: bool = False,
    seed: int = 0,
    names: str = "",
    name: str = "topics",
) -> TopicModel | None:
    """
    Return the topic model saved in the articles' corpus folder, or fit and save one.

    A saved model is reused (later runs read the same topics, and assign new
    articles with :meth:`TopicModel.transform`) unless ``refit`` is True, or ``k``
    asks for another number of topics than the saved model has. A table that
    does not come from a corpus folder is fitted and nothing is saved; a folder
    that cannot be written means no saved model and one warning.

    Parameters
    ----------
    articles : DataFrame or dask DataFrame
        The selection (from :func:`analysis.open_corpus` and :func:`analysis.select_articles`).
    k : int, optional
        Number of topics; by default chosen by :func:`analysis.topic_k_scores`.
    refit : bool, default False
        Fit again even when a model is saved.
    seed : int, default 0
    names : str, default ""
        A YAML file of topic names (``3: Energy``) to use as labels; "" keeps the top terms.
    name : str, default "topics"
        The model's folder in the corpus folder: a notebook that fits on a selection of
        its own keeps its model apart (the compare report uses ``"topics-compare"``), so
        that another report does not read topics fitted on another selection.

    Returns
    -------
    TopicModel or None
        None when the selection holds fewer than :data:`MIN_ARTICLES` articles
        with a body (too few to tell topics apart).
    """
    n = row_count(articles) if is_dask(articles) else len(with_text(articles))
    if n < MIN_ARTICLES:
        log.info("too few articles to find topics (fewer than %d with a body)", MIN_ARTICLES)
        return None
    folder = corpus_folder(articles)
    model = None
    check_topic_name(name)  # a bad name is refused before any fit
    if folder is not None and has_topic_files(folder, name) and not refit:
        try:
            model = TopicModel.load(folder, name=name)
        except InputError as exc:
            log.warning("fitting the topics again: %s", exc)
        if model is not None and k is not None and model.k != k:
            log.info("the saved model has k=%d topics; fitting k=%d", model.k, k)
            model = None
    if model is None:
        model = topics(articles, k=k, seed=seed)
        if folder is not None:
            try:
                model.save(folder, name=name)
            except OSError as exc:
                log.warning("the topic model could not be saved in %s: %s", folder, exc)
    return model.with_names(names) if names else model
