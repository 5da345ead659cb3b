"""Topics: what the coverage is about, by outlet and over time, with bootstrap intervals.

:func:`topics` fits a topic model on a selection of articles and returns a
:class:`TopicModel`, plain data (arrays, lists and tables) that reads the topics
of new articles (:meth:`TopicModel.transform`) and saves to plain files in the
corpus folder. :func:`topic_k_scores` compares numbers of topics,
:func:`topic_prevalence` and :func:`topic_difference` measure how much of each
group's coverage a topic takes. The fitting itself lives in
:mod:`analysis.measures.topicfit`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.engine import each_partition, gather, is_dask, row_count
from analysis.errors import InputError, ParameterError
from analysis.measures import topicfit as fit
from analysis.measures.wordtable import add_period, as_list, need_columns, select_rows
from analysis.options import unique_copies
from analysis.paths import read_yaml

log = logging.getLogger(__name__)

Method = Literal["auto", "nmf", "lda"]

#: On a Dask table, the topics are fitted on a random sample of this many articles at most.
FIT_SAMPLE = 20_000

#: The numbers of topics :func:`topics` compares when ``k`` is not given.
DEFAULT_KS = (4, 6, 8, 10, 12)

#: A k whose largest topic is the main topic of more than this share of the
#: articles is passed over when another k is not (see :func:`topic_k_scores`).
GIANT_TOPIC = 0.5

#: Columns the topics read from an articles table.
TEXT_COLUMNS = ["article_id", "title", "text"]


@dataclasses.dataclass(frozen=True)
class TopicModel:
    """
    A fitted topic model, as plain data.

    Attributes
    ----------
    method : {"nmf", "lda"}
        How the topics were fitted (see :func:`topics`).
    k : int
        Number of topics; topics are numbered 1..k, largest first.
    labels : dict
        Topic -> label: its top terms by FREX, or the names given with :meth:`with_names`.
    terms : DataFrame
        ``topic, rank, term, weight, frex``: each topic's top terms by weight
        (``weight`` is the term's share of the topic).
    representative : DataFrame
        ``topic, rank, article_id, title, share``: the articles most about each topic.
    article_topics : DataFrame
        ``article_id, topic, share``: each fitted article's topics whose share is
        at least ``floor``, largest first.
    k_reason : str
        Why this number of topics.
    k_scores : DataFrame
        The comparison of numbers of topics behind an automatic k (see
        :func:`topic_k_scores`); empty when k was given.
    """

    method: str
    k: int
    seed: int
    vocabulary: list[str]
    components: np.ndarray
    idf: np.ndarray
    term_options: dict
    labels: dict[int, str]
    terms: pd.DataFrame
    representative: pd.DataFrame
    article_topics: pd.DataFrame
    n_articles: int
    k_reason: str = ""
    floor: float = 0.1
    k_scores: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    _read: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def topic_ids(self) -> list[int]:
        return list(range(1, self.k + 1))

    def shares(self, articles: pd.DataFrame) -> np.ndarray:
        """Return each article's share of every topic (rows: articles; columns: topics 1..k)."""
        key = _rows_key(articles)
        found = self._read.get(key)
        if found is None:
            counts = fit.count_matrix(documents(articles), self.vocabulary, **self.term_options)
            found = self._remember(key, fit.assign(self.method, counts, self.components, self.idf))
        return found.copy()

    def _light(self) -> TopicModel:
        """The model without the shares it remembers (what is sent to each partition)."""
        return dataclasses.replace(self, _read={})

    def _remember(self, key: int, shares: np.ndarray) -> np.ndarray:
        """Keep the shares of the last two tables read (a report reads its selection several times)."""
        while len(self._read) >= 2:
            self._read.pop(next(iter(self._read)))
        self._read[key] = shares
        return shares

    def transform(self, articles: Any) -> Any:
        """
        Read the topics of articles with the fitted topics held fixed.

        Parameters
        ----------
        articles : DataFrame or dask DataFrame
            Articles with ``article_id``, ``title`` and ``text``.

        Returns
        -------
        DataFrame or dask DataFrame (the kind of ``articles``)
            ``article_id, topic, share``: the topics with a share of at least
            ``floor``, largest first; an article with no known term has no row.
        """
        return each_partition(articles, _assign_part, model=self._light())

    def summary(self, top: int = 8) -> pd.DataFrame:
        """
        Return one row per topic: its label, top terms, and how much of the fitted articles it took.

        ``articles`` counts the fitted articles whose main topic it is, ``share``
        is its mean share of a fitted article.
        """
        assigned = self.article_topics
        main = assigned.drop_duplicates("article_id")["topic"].value_counts()
        mass = assigned.groupby("topic")["share"].sum() / max(self.n_articles, 1)
        terms = self.terms[self.terms["rank"] <= top].groupby("topic")["term"].agg(", ".join)
        return pd.DataFrame(
            {
                "topic": self.topic_ids,
                "label": [self.labels[t] for t in self.topic_ids],
                "terms": [terms.get(t, "") for t in self.topic_ids],
                "articles": [int(main.get(t, 0)) for t in self.topic_ids],
                "share": [float(mass.get(t, 0.0)) for t in self.topic_ids],
            }
        )

    def main_articles(self) -> pd.DataFrame:
        """
        Return one row per topic with the ids of the fitted articles whose main topic it is.

        The articles a report's topic row drills down to: ``articles`` is the
        count :meth:`summary` gives, ``article_ids`` the articles most about the
        topic first.
        """
        assigned = self.article_topics.drop_duplicates("article_id")
        assigned = assigned.sort_values("share", ascending=False, kind="stable")
        ids = assigned.groupby("topic")["article_id"].agg(list)
        lists = [[str(i) for i in ids.get(t, [])] for t in self.topic_ids]
        return pd.DataFrame(
            {
                "topic": self.topic_ids,
                "label": [self.labels[t] for t in self.topic_ids],
                "articles": [len(x) for x in lists],
                "article_ids": lists,
            }
        )

    def with_names(self, names: Mapping[int, str] | str | Path) -> TopicModel:
        """
        Return the model with the labels of some topics replaced by names of one's own.

        ``names`` maps topic numbers to names, or is the path of a YAML file
        holding such a mapping (``3: War in the east``).
        """
        mapping = _read_names(names)
        unknown = sorted(set(mapping) - set(self.topic_ids))
        if unknown:
            raise ParameterError(
                f"topic names: no topic {unknown[0]} in this model (topics are 1..{self.k})"
            )
        return dataclasses.replace(self, labels={**self.labels, **mapping})

    def save(self, folder: str | Path, *, name: str = "topics") -> Path:
        """Save the model under ``<folder>/<name>`` (JSON, NPZ and Parquet files); return that folder."""
        from analysis.corpus.topicfiles import write_topic_files

        meta = {
            "method": self.method,
            "k": self.k,
            "seed": self.seed,
            "term_options": self.term_options,
            "vocabulary": self.vocabulary,
            "labels": {str(t): label for t, label in self.labels.items()},
            "n_articles": self.n_articles,
            "k_reason": self.k_reason,
            "floor": self.floor,
        }
        arrays = {"components": self.components, "idf": self.idf}
        return write_topic_files(folder, meta, arrays, self._tables(), name=name)

    @classmethod
    def load(cls, folder: str | Path, *, name: str = "topics") -> TopicModel:
        """Read a model saved with :meth:`save` from ``<folder>/<name>``."""
        from analysis.corpus.topicfiles import read_topic_files, topic_folder

        meta, arrays, tables = read_topic_files(folder, list(_TABLES), name=name)
        try:
            return cls(
                method=meta["method"],
                k=int(meta["k"]),
                seed=int(meta["seed"]),
                vocabulary=list(meta["vocabulary"]),
                components=arrays["components"],
                idf=arrays["idf"],
                term_options={
                    "bigrams": bool(meta["term_options"]["bigrams"]),
                    "numbers": bool(meta["term_options"]["numbers"]),
                },
                labels={int(t): str(label) for t, label in meta["labels"].items()},
                n_articles=int(meta["n_articles"]),
                k_reason=str(meta.get("k_reason", "")),
                floor=float(meta.get("floor", 0.1)),
                **tables,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                topic_folder(folder, name) / "model.json", f"incomplete topic model ({exc})"
            ) from None

    def _tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in _TABLES}


_TABLES = ("terms", "representative", "article_topics", "k_scores")


def load_topics(folder: str | Path, *, name: str = "topics") -> TopicModel:
    """Read a topic model saved in a corpus folder (see :meth:`TopicModel.save`)."""
    return TopicModel.load(folder, name=name)


def _read_names(names: Mapping[int, str] | str | Path) -> dict[int, str]:
    where: object = "topic names"
    if isinstance(names, (str, Path)):
        where = names
        names = read_yaml(names, "topic names")
    if not isinstance(names, Mapping):
        raise InputError(where, "expected a mapping of topic number to name, like '3: Energy'")
    out = {}
    for topic, name in names.items():
        try:
            number = int(topic)
        except (TypeError, ValueError):
            raise InputError(where, f"{topic!r} is not a topic number") from None
        if not isinstance(name, str) or not name.strip():
            raise InputError(where, f"topic {number}: the name must be a non-empty text")
        out[number] = name.strip()
    return out


def _rows_key(articles: pd.DataFrame) -> int:
    """A fingerprint of the ids and texts of a table's rows, in their order."""
    columns = [c for c in TEXT_COLUMNS if c in articles.columns]
    hashed = pd.util.hash_pandas_object(articles[columns].astype(str), index=False).to_numpy()
    return hash((len(hashed), hashed.tobytes()))


def documents(articles: pd.DataFrame) -> list[str]:
    """The text a topic model reads of each article: its title, then its body."""
    need_columns(articles, ["text"], "topics")
    text = articles["text"].fillna("").astype(str)
    if "title" in articles.columns:
        text = articles["title"].fillna("").astype(str) + "\n" + text
    return text.tolist()


def _assign_part(part: pd.DataFrame, *, model: TopicModel) -> pd.DataFrame:
    need_columns(part, ["article_id", "text"], "topics")
    return fit.long_table(model.shares(part), part["article_id"], model.topic_ids, model.floor)


# --------------------------------------------------------------------------- fitting


def _sample_part(part: pd.DataFrame, *, frac: float, seed: int) -> pd.DataFrame:
    if frac >= 1:
        return part
    return part.sample(frac=frac, random_state=seed)


def fit_rows(articles: Any, *, copies: str, seed: int, where: str) -> pd.DataFrame:
    """The articles a fit reads: one copy per story unless ``copies="all"``; a sample on Dask."""
    unique = unique_copies(copies)
    if is_dask(articles):
        frac = min(1.0, FIT_SAMPLE / max(row_count(articles), 1))
        columns = [*TEXT_COLUMNS, "has_text", "language", "is_duplicate", "story_id"]
        keep = functools.partial(_sample_part, frac=frac, seed=seed)
        articles = gather(articles, columns, keep=keep, stories=unique)
    rows = select_rows(articles, english_only=False, unique_stories=unique, where=where)
    need_columns(rows, ["article_id", "text"], where)
    # in the order of their ids, so that a fit does not depend on the order of the rows
    return rows.sort_values("article_id", kind="stable")


def _method_for(method: str, docs: list[str]) -> str:
    if method in ("nmf", "lda"):
        return method
    if method != "auto":
        raise ParameterError(f"topics: method={method!r}; expected 'auto', 'nmf' or 'lda'")
    words = np.mean([len(d.split()) for d in docs]) if docs else 0.0
    return "lda" if words < fit.SHORT_TEXT_WORDS else "nmf"


def _prepared(rows: pd.DataFrame, method: str, where: str):
    docs = documents(rows)
    method = _method_for(method, docs)
    opts = fit.TERM_OPTIONS[method]
    options = {"bigrams": opts["bigrams"], "numbers": opts["numbers"]}
    vocabulary, counts, df = fit.learn_vocabulary(
        docs, min_df=opts["min_df"], max_df=opts["max_df"], **options
    )
    if len(vocabulary) < 2:
        raise ParameterError(
            f"{where}: the {len(docs)} articles share too few words to find topics "
            "(a term must occur in two articles)"
        )
    return method, vocabulary, counts, fit.smooth_idf(df, len(docs)), options


def topics(
    articles: Any,
    *,
    k: int | None = None,
    seed: int = 0,
    method: Method = "auto",
    copies: Literal["unique", "all"] = "unique",
    ks: Sequence[int] = DEFAULT_KS,
    top: int = 20,
) -> TopicModel:
    """
    Fit topics on a selection of articles.

    Parameters
    ----------
    articles : DataFrame or dask DataFrame
        Articles with ``article_id``, ``text`` and, if present, ``title`` (read
        before the body). On Dask the fit reads a random sample of at most
        :data:`FIT_SAMPLE` articles and every article is then assigned.
    k : int, optional
        Number of topics; by default the best of ``ks`` by :func:`topic_k_scores`.
    seed : int, default 0
        The same seed gives the same topics.
    method : {"auto", "nmf", "lda"}, default "auto"
        ``"nmf"``: NMF of TF-IDF weights, best on full articles; ``"lda"``: LDA
        of counts, best on short texts (headlines, abstracts). ``"auto"`` takes
        LDA when the texts average fewer than 60 words, else NMF.
    copies : {"unique", "all"}, default "unique"
        Fit on one copy per story, or on every copy.
    ks : sequence of int
        The numbers of topics compared when ``k`` is None.
    top : int, default 20
        Terms kept per topic in ``.terms``.

    Returns
    -------
    TopicModel

    Examples
    --------
    >>> texts = ["Grain ships leave the port of Odesa", "Talks on the grain deal resume",
    ...          "Shelling hits the power plant", "Power plant inspectors arrive"] * 3
    >>> df = pd.DataFrame({"article_id": [str(i) for i in range(12)], "text": texts})
    >>> model = topics(df, k=2, copies="all")
    >>> sorted(model.labels)
    [1, 2]
    """
    rows = fit_rows(articles, copies=copies, seed=seed, where="topics")
    method, vocabulary, counts, idf, options = _prepared(rows, method, "topics")
    reason, scores, fitted = f"k={k} was given", pd.DataFrame(), {}
    if k is None:
        usable = _usable_ks(ks, counts.shape[0])
        scores = _k_table(counts, idf, vocabulary, method, usable, seed, fitted=fitted)
        k = int(scores.loc[scores["chosen"], "k"].iloc[0])
        reason = _k_reason(scores)
    _check_k(k, counts.shape[0])
    components = fitted.get(k)
    if components is None:
        components = fit.fit_components(method, counts, idf, k, seed)
    shares = fit.assign(method, counts, components, idf)
    model = TopicModel(
        method=method,
        k=k,
        seed=seed,
        vocabulary=vocabulary,
        components=components,
        idf=idf,
        term_options=options,
        labels=dict(enumerate(fit.labels_from(vocabulary, components), start=1)),
        terms=_terms_table(vocabulary, components, top),
        representative=pd.DataFrame(),
        article_topics=pd.DataFrame(),
        n_articles=len(rows),
        k_reason=reason,
        k_scores=scores,
    )
    if is_dask(articles):
        assigned = model.transform(articles).compute().reset_index(drop=True)
    else:
        model._remember(_rows_key(rows), shares)
        assigned = fit.long_table(shares, rows["article_id"], model.topic_ids, model.floor)
    rep = _representative(shares, rows, model.topic_ids)
    return dataclasses.replace(model, representative=rep, article_topics=assigned)


def _check_k(k: Any, n_docs: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ParameterError(f"topics: k={k!r}; expected a whole number of topics, 2 or more")
    if k >= n_docs:
        raise ParameterError(f"topics: k={k} topics need more than {k} articles; got {n_docs}")


def _usable_ks(ks: Sequence[int], n_docs: int) -> list[int]:
    ks = sorted({int(k) for k in ks})
    for k in ks:
        _check_k(k, max(n_docs, k + 1))
    usable = [k for k in ks if k < n_docs]
    if not usable:
        raise ParameterError(f"topics: ks={ks} all need more than the {n_docs} articles")
    return usable


def _terms_table(vocabulary: list[str], components: np.ndarray, top: int) -> pd.DataFrame:
    weight = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-300)
    frex = fit.frex(components)
    rows = []
    for t, ids in enumerate(fit.top_terms(weight, top), start=1):
        for rank, i in enumerate(ids, start=1):
            rows.append((t, rank, vocabulary[i], float(weight[t - 1, i]), float(frex[t - 1, i])))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight", "frex"])


def _representative(shares: np.ndarray, rows: pd.DataFrame, topic_ids, top: int = 3):
    titles = rows["title"] if "title" in rows.columns else pd.Series("", index=rows.index)
    out = []
    for j, topic in enumerate(topic_ids):
        best = np.argsort(-shares[:, j], kind="stable")[:top]
        for rank, i in enumerate(best, start=1):
            if shares[i, j] > 0:
                out.append((topic, rank, rows["article_id"].iloc[i], titles.iloc[i], shares[i, j]))
    return pd.DataFrame(out, columns=["topic", "rank", "article_id", "title", "share"])


# --------------------------------------------------------------------------- choosing k


def _k_table(counts, idf, vocabulary, method, ks, seed, top=10, fitted=None) -> pd.DataFrame:
    """Score each k; ``fitted``, a dict, receives the topics fitted for each k."""
    presence = (counts > 0).astype(np.float64).tocsr()
    rows = []
    for k in ks:
        components = fit.fit_components(method, counts, idf, k, seed)
        if fitted is not None:
            fitted[k] = components
        ids = fit.top_terms(components, top)
        coherence = float(fit.npmi_coherence(presence, ids).mean())
        exclusive = float(fit.exclusivity(ids).mean())
        largest = fit.largest_topic_share(fit.assign(method, counts, components, idf))
        rows.append((k, coherence, exclusive, (coherence + 1) / 2 * exclusive, largest))
    table = pd.DataFrame(rows, columns=["k", "coherence", "exclusivity", "score", "largest"])
    return table.assign(chosen=table.index == _best_k(table), method=method)


def _best_k(table: pd.DataFrame) -> int:
    """Index of the best score among the k whose largest topic holds at most half the articles."""
    balanced = table[table["largest"] <= GIANT_TOPIC]
    return int((balanced if len(balanced) else table)["score"].idxmax())


def _k_reason(scores: pd.DataFrame) -> str:
    best = scores.loc[scores["chosen"]].iloc[0]
    reason = (
        f"k={int(best['k'])} has the best coherence x exclusivity ({best['score']:.3f}) "
        f"of k in {list(scores['k'])}"
    )
    skipped = scores[scores["score"] > best["score"]]
    if len(skipped):
        top = skipped.loc[skipped["score"].idxmax()]
        reason += (
            f" whose largest topic holds at most half the articles (k={int(top['k'])} scored "
            f"{top['score']:.3f} but one topic held {top['largest']:.0%} of the articles)"
        )
    elif best["largest"] > GIANT_TOPIC:
        reason += f"; every k leaves one topic with over half the articles ({best['largest']:.0%})"
    return reason


def topic_k_scores(
    articles: Any,
    *,
    ks: Sequence[int] = DEFAULT_KS,
    seed: int = 0,
    method: Method = "auto",
    copies: Literal["unique", "all"] = "unique",
    top: int = 10,
) -> pd.DataFrame:
    """
    Compare numbers of topics by coherence and exclusivity of their top terms.

    Coherence is the mean NPMI of each pair of a topic's ``top`` terms, from
    how often two terms occur in the same article of the corpus (-1: never
    together, 0: independent, 1: always together). Exclusivity is the share of a
    topic's top terms that are among no other topic's top terms. The score is
    their product (coherence rescaled to 0..1). ``largest`` is the share of the
    articles whose main topic is the k's largest topic. ``chosen`` marks the best
    score among the k whose largest topic holds at most half the articles
    (:data:`GIANT_TOPIC`), or the best score when every k has such a topic; it is
    the k :func:`topics` takes when ``k`` is not given. One topic holding most of
    the articles is a catch-all of the story's common words: its few top terms
    can be coherent and exclusive while it tells the articles apart no better
    than the whole corpus does.

    Returns
    -------
    DataFrame
        ``k, coherence, exclusivity, score, largest, chosen, method``, one row per k.
    """
    rows = fit_rows(articles, copies=copies, seed=seed, where="topic_k_scores")
    method, vocabulary, counts, idf, _ = _prepared(rows, method, "topic_k_scores")
    return _k_table(counts, idf, vocabulary, method, _usable_ks(ks, counts.shape[0]), seed, top)


# --------------------------------------------------------------------------- prevalence


def _wide_part(
    part: pd.DataFrame, *, model: TopicModel, keep: list[str], unique: bool = False, where: str = ""
) -> pd.DataFrame:
    """The ``keep`` columns of the articles read and their share of every topic (``topic_<n>``)."""
    rows = select_rows(part, english_only=False, unique_stories=unique, where=where)
    need_columns(rows, ["article_id", "text", *keep], where)
    rows = rows.sort_values("article_id", kind="stable")  # as a fit reads them
    shares = model.shares(rows) if len(rows) else np.zeros((0, model.k))
    wide = pd.DataFrame(shares, columns=[f"topic_{t}" for t in model.topic_ids], index=rows.index)
    return pd.concat([rows[["article_id", *keep]], wide], axis=1)


def _shares_table(model, articles, keep: list[str], copies: str, where: str):
    """One row per article: the ``keep`` columns and its share of every topic."""
    if not isinstance(model, TopicModel):
        raise ParameterError(
            f"{where}: expected a TopicModel (from analysis.topics), got {model!r}"
        )
    unique = unique_copies(copies)
    if is_dask(articles) and (not unique or "is_duplicate" in articles.columns):
        # each partition reads its own articles; only the shares are gathered
        wide = each_partition(
            articles, _wide_part, model=model._light(), keep=keep, unique=unique, where=where
        )
        table = gather(wide, list(wide.columns))
    else:
        if is_dask(articles):  # stories grouped across partitions first
            columns = [*TEXT_COLUMNS, *keep, "has_text", "is_duplicate", "story_id"]
            articles = gather(articles, columns, stories=unique)
        table = _wide_part(articles, model=model, keep=keep, unique=unique, where=where)
    # in the order of their ids, so that the resamples do not depend on the order of the rows
    return table.sort_values("article_id", kind="stable")


def _boot_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` means of resamples of the rows of ``values`` (articles drawn with replacement)."""
    n = len(values)
    out = np.empty((n_boot, values.shape[1]))
    chunk = max(1, 2_000_000 // max(n, 1))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=b)
        out[start : start + b] = weights @ values / n
    return out


def _check_boot(n_boot: int, ci: float, where: str) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise ParameterError(f"{where}: n_boot={n_boot!r}; expected a whole number, 10 or more")
    if not 0 < ci < 1:
        raise ParameterError(f"{where}: ci={ci!r}; expected a level between 0 and 1, like 0.95")


def topic_prevalence(
    model: TopicModel,
    articles: Any,
    *,
    by: str | Sequence[str] | None = "outlet",
    freq: str | None = None,
    n_boot: int = 500,
    ci: float = 0.95,
    seed: int = 0,
    copies: Literal["unique", "all"] = "unique",
) -> pd.DataFrame:
    """
    Measure how much of each group's (and period's) coverage each topic takes, with intervals.

    The prevalence of a topic in a group is the mean share of that topic over
    the group's articles; its interval is a percentile bootstrap over the
    articles (``n_boot`` resamples, seeded).

    Parameters
    ----------
    model : TopicModel
    articles : DataFrame or dask DataFrame
    by : str, sequence of str or None, default "outlet"
    freq : {"D", "W", "M"}, optional
        Also per period (``period`` column); articles without a date are left out.

    Returns
    -------
    DataFrame
        ``[*by, period], topic, label, articles, share, low, high``.
    """
    _check_boot(n_boot, ci, "topic_prevalence")
    keys = as_list(by) + (["published"] if freq else [])
    table = _shares_table(model, articles, keys, copies, "topic_prevalence")
    groups = as_list(by)
    if freq:
        table = add_period(table, freq, where="topic_prevalence").drop(columns="published")
        groups = [*groups, "period"]
    cols = [f"topic_{t}" for t in model.topic_ids]
    rng = np.random.default_rng(seed)
    alpha = (1 - ci) / 2
    out = []
    parts = table.groupby(groups, sort=True, dropna=False) if groups else [((), table)]
    for key, part in parts:
        key = key if isinstance(key, tuple) else (key,)
        values = part[cols].to_numpy()
        boots = _boot_means(values, n_boot, rng)
        low, high = np.quantile(boots, [alpha, 1 - alpha], axis=0)
        for j, topic in enumerate(model.topic_ids):
            out.append((*key, topic, model.labels[topic], len(part), values[:, j].mean(), low[j], high[j]))  # fmt: skip
    names = [*groups, "topic", "label", "articles", "share", "low", "high"]
    return pd.DataFrame(out, columns=names)


def topic_difference(
    model: TopicModel,
    articles: Any,
    *,
    by: str = "outlet",
    a: Any = None,
    b: Any = None,
    n_boot: int = 500,
    ci: float = 0.95,
    seed: int = 0,
    copies: Literal["unique", "all"] = "unique",
) -> pd.DataFrame:
    """
    Compare the prevalence of each topic between two groups, with a bootstrap interval.

    Each bootstrap resample draws the articles of ``a`` and of ``b`` separately.
    ``a`` and ``b`` left out are the first and second value of ``by`` in
    alphabetical order (the same on pandas and Dask); give them to set the order.

    Returns
    -------
    DataFrame
        ``topic, label, share_a, share_b, difference, low, high, n_a, n_b, a, b``
        (``difference`` is ``share_a - share_b``; ``a`` and ``b`` name the groups),
        largest difference first.
    """
    _check_boot(n_boot, ci, "topic_difference")
    if not isinstance(by, str):
        raise ParameterError(f"topic_difference: by={by!r}; expected one column name")
    table = _shares_table(model, articles, [by], copies, "topic_difference")
    # the groups in the order of their names: the same on both engines, whatever the row order
    present = sorted((table if is_dask(articles) else articles)[by].dropna().unique(), key=str)
    cols = [f"topic_{t}" for t in model.topic_ids]
    if a is None or b is None:
        rest = [v for v in present if v not in (a, b)]
        if len(rest) < (a is None) + (b is None):
            raise ParameterError(f"topic_difference: the articles hold fewer than two {by} values ({present})")  # fmt: skip
        a, b = (rest.pop(0) if a is None else a), (rest.pop(0) if b is None else b)
    values = {}
    for name, value in (("a", a), ("b", b)):
        part = table.loc[table[by] == value, cols].to_numpy()
        if not len(part):
            present = sorted(map(str, table[by].dropna().unique()))
            raise ParameterError(f"topic_difference: {name}={value!r} is no {by} of the articles ({present})")  # fmt: skip
        values[name] = part
    rng = np.random.default_rng(seed)
    boots = _boot_means(values["a"], n_boot, rng) - _boot_means(values["b"], n_boot, rng)
    alpha = (1 - ci) / 2
    low, high = np.quantile(boots, [alpha, 1 - alpha], axis=0)
    share_a, share_b = values["a"].mean(axis=0), values["b"].mean(axis=0)
    out = pd.DataFrame(
        {
            "topic": model.topic_ids,
            "label": [model.labels[t] for t in model.topic_ids],
            "share_a": share_a,
            "share_b": share_b,
            "difference": share_a - share_b,
            "low": low,
            "high": high,
            "n_a": len(values["a"]),
            "n_b": len(values["b"]),
            "a": a,
            "b": b,
        }
    )
    return out.sort_values("difference", ascending=False, kind="stable").reset_index(drop=True)
