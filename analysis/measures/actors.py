"""Measures on the mentions of :func:`analysis.entities`: who is named, rising, named together, how, quoted.

Every measure takes the mentions table (one row per mention, with ``actor``) and,
where it counts per group, the articles table for ``by``, ``published`` and the
story copies (``copies="unique"`` keeps one copy per story). Article ids travel
with each row, so a reader can open the articles behind a number.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.engine import gather
from analysis.errors import ParameterError, SchemaError
from analysis.measures.keyness import adjust_pvalues, g2, log_ratio, log_ratio_low
from analysis.measures.wordtable import as_list
from analysis.options import Copies, unique_copies
from analysis.text.actors import (
    aliases_with_bundled,
    canonical_names,
    clean_name,
    commonest,
    name_key,
    names_outlet,
)

TYPES = ("PERSON", "ORG", "PLACE", "GROUP")


def _check_mentions(mentions: pd.DataFrame, need: Sequence[str] = ("article_id", "actor", "type")):
    for col in need:
        if col not in mentions.columns:
            raise SchemaError(col, "missing; pass the table from analysis.entities")


def _of_type(mentions: pd.DataFrame, type: str | Sequence[str] | None) -> pd.DataFrame:
    if type is None:
        return mentions
    kinds = as_list(type)
    bad = [k for k in kinds if k not in TYPES]
    if bad:
        raise ParameterError(f"type={bad[0]!r}; expected one of {', '.join(TYPES)} or None")
    return mentions[mentions["type"].isin(kinds)]


def without_own_outlet(mentions: pd.DataFrame, articles: Any) -> pd.DataFrame:
    """
    Drop the mentions of an organisation that is the article's own outlet.

    An outlet naming itself ("CNN's Kylie Atwood reported", "Sign up for The
    Guardian's newsletter") is a credit, not an actor of the story; left in, each
    outlet's own name tops its list. Only ORG mentions are compared (see
    :func:`analysis.text.actors.names_outlet`); without an ``outlet`` column
    nothing is dropped.

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "a", "b"], "actor": ["CNN", "NATO", "CNN"],
    ...                   "type": ["ORG"] * 3})
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["CNN", "BBC"]})
    >>> without_own_outlet(m, arts)["actor"].tolist()
    ['NATO', 'CNN']
    """
    if mentions.empty or "outlet" not in articles.columns:
        return mentions
    outlets = gather(articles, ["article_id", "outlet"]).drop_duplicates("article_id")
    outlet = mentions["article_id"].map(outlets.set_index("article_id")["outlet"])
    org = (mentions["type"] == "ORG").to_numpy()
    pairs = {
        (a, o)
        for a, o in zip(mentions["actor"][org], outlet[org])
        if isinstance(a, str) and isinstance(o, str)
    }
    own = {pair for pair in pairs if names_outlet(*pair)}
    if not own:
        return mentions
    drop = org & pd.Series(list(zip(mentions["actor"], outlet))).isin(own).to_numpy()
    return mentions[~drop]


def _articles_kept(articles: Any, columns: Sequence[str], copies: Copies) -> pd.DataFrame:
    """The articles counted: every copy, or one per story."""
    unique = unique_copies(copies)
    wanted = ["article_id", *columns, "is_duplicate" if unique else None]
    table = gather(articles, [c for c in dict.fromkeys(wanted) if c])
    for col in ["article_id", *columns]:
        if col not in table.columns:
            raise ParameterError(f"{col!r} is not a column of the articles table")
    if unique:
        if "is_duplicate" not in table.columns:
            from analysis.engine.stories import find_duplicates

            full = gather(articles, ["article_id", "text", *columns])
            table = find_duplicates(full)[["article_id", *columns, "is_duplicate"]]
        table = table[~table["is_duplicate"].astype("boolean").fillna(False).to_numpy()]
    return table.drop_duplicates("article_id")


def _periods(table: pd.DataFrame, freq: str | None) -> pd.DataFrame:
    if freq is None:
        return table
    if freq not in ("D", "W", "M"):
        raise ParameterError(f"freq={freq!r}; expected 'D', 'W', 'M' or None")
    if "published" not in table.columns:
        raise ParameterError("freq needs a 'published' column in the articles table")
    dates = pd.to_datetime(table["published"], errors="coerce", utc=True).dt.tz_localize(None)
    return table.assign(period=dates.dt.to_period(freq).dt.start_time)


def _sides(table: pd.DataFrame, *, split: Any, by: str | None) -> pd.Series:
    """Each dated (or grouped) article's side, "before" or "after", on the table's index."""
    if by is not None:
        values = list(dict.fromkeys(table[by].dropna()))
        if len(values) != 2:
            raise ParameterError(f"by={by!r} has {len(values)} values; rising_actors compares two")
        return table[by].map({values[0]: "before", values[1]: "after"}).dropna()
    when = pd.to_datetime(table["published"], errors="coerce", utc=True).dt.tz_localize(None)
    try:
        cut = pd.Timestamp(split)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"split={split!r} is not a date") from exc
    if cut.tzinfo is not None:  # dates are compared in UTC, without a time zone
        cut = cut.tz_convert("UTC").tz_localize(None)
    return pd.Series(np.where(when >= cut, "after", "before"), index=table.index)[when.notna()]


def top_actors(
    mentions: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    freq: Literal["D", "W", "M"] | None = None,
    type: str | Sequence[str] | None = None,
    top: int | None = 20,
    copies: Copies = "all",
    own_outlet: bool = False,
) -> pd.DataFrame:
    """
    Rank the actors named most, per group and/or period, with mentions per 1,000 articles.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`analysis.entities`.
    articles : DataFrame
        The articles the mentions came from (for ``by``, ``published``, copies,
        and the number of articles of each group).
    by : str, sequence of str or None, default "outlet"
        Grouping column(s) of the articles.
    freq : {"D", "W", "M"} or None
        Also split by period of ``published``.
    type : str or sequence of str, optional
        Keep only PERSON, ORG, PLACE and/or GROUP.
    top : int or None, default 20
        Actors kept per group (None keeps all).
    copies : {"all", "unique"}, default "all"
        ``"unique"`` counts one copy per story.
    own_outlet : bool, default False
        Count an organisation named in its own outlet's articles (see
        :func:`without_own_outlet`); by default such credits are left out.

    Returns
    -------
    DataFrame
        ``[*by, period?, rank, actor, type, mentions, articles, per_1k_articles,
        n_articles, article_ids]``: ``articles`` the articles naming the actor,
        ``per_1k_articles`` its mentions per 1,000 articles of the group.

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "a", "b"], "actor": ["Kyiv", "Kyiv", "Kyiv"],
    ...                   "type": ["PLACE"] * 3})
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "X", "Y"]})
    >>> top_actors(m, arts)[["outlet", "actor", "mentions", "articles", "per_1k_articles"]]
      outlet actor  mentions  articles  per_1k_articles
    0      X  Kyiv         3         2           1500.0
    """
    _check_mentions(mentions)
    keys = as_list(by)
    table = _periods(
        _articles_kept(articles, [*keys, *(["published"] if freq else [])], copies), freq
    )
    keys = [*keys, *(["period"] if freq else [])]
    sizes = table.groupby(keys, dropna=False).size().rename("n_articles") if keys else None
    if not own_outlet:
        mentions = without_own_outlet(mentions, articles)
    rows = _of_type(mentions, type).merge(table[["article_id", *keys]], on="article_id")
    cols = [*keys, "rank", "actor", "type", "mentions", "articles", "per_1k_articles",
            "n_articles", "article_ids"]  # fmt: skip
    if rows.empty:
        return pd.DataFrame(columns=cols)
    grouped = rows.groupby([*keys, "actor"], dropna=False, sort=False)
    out = grouped.agg(
        type=("type", "first"),
        mentions=("article_id", "size"),
        articles=("article_id", "nunique"),
        article_ids=("article_id", lambda s: sorted(set(s))),
    ).reset_index()
    if keys:
        out = out.merge(sizes.reset_index(), on=keys, how="left")
    else:
        out = out.assign(n_articles=len(table))
    out["per_1k_articles"] = (1000 * out["mentions"] / out["n_articles"]).round(1)
    out = out.sort_values([*keys, "mentions", "articles", "actor"],
                          ascending=[True] * len(keys) + [False, False, True])  # fmt: skip
    out["rank"] = (
        out.groupby(keys, dropna=False).cumcount() + 1 if keys else np.arange(1, len(out) + 1)
    )
    if top is not None:
        out = out[out["rank"] <= top]
    return out[cols].reset_index(drop=True)


def rising_actors(
    mentions: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    split: str | pd.Timestamp | None = None,
    by: str | None = None,
    type: str | Sequence[str] | None = None,
    min_count: int = 3,
    top: int | None = 20,
    alpha: float = 0.05,
    copies: Copies = "all",
    own_outlet: bool = False,
) -> pd.DataFrame:
    """
    Find the actors named more often after ``split`` than before, tested as keyness tests terms.

    Mentions per article of each actor are compared between the articles published
    before ``split`` and those from ``split`` on, with the log-likelihood G2 and
    Hardie's log ratio of :mod:`analysis.measures.keyness` (the totals are the
    mentions of all actors on each side); p-values are corrected
    (Benjamini-Hochberg) and actors ranked by the cautious end of the log ratio's
    interval (:func:`analysis.measures.keyness.log_ratio_low`).

    Parameters
    ----------
    split : date, optional
        The first day counted "after".
    by : str, optional
        Instead of ``split``: a column of the articles with two values (the
        compare report's ``group``); ``before`` counts the first value in table
        order, ``after`` the second, so the actors the second group names more
        come first.
    copies : {"all", "unique"}, default "all"
        ``"unique"`` counts one copy per story.
    own_outlet : bool, default False
        Count an organisation named in its own outlet's articles (see
        :func:`without_own_outlet`).

    Returns
    -------
    DataFrame
        ``[rank, actor, type, before, after, per_1k_before, per_1k_after,
        log_ratio, log_ratio_low, g2, p_adj, significant, article_ids]``
        (rising actors first; ``article_ids`` those after the split).

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": list("abcdef"), "type": ["PERSON"] * 6,
    ...                   "actor": ["A", "B", "B", "B", "B", "A"]})
    >>> arts = pd.DataFrame({"article_id": list("abcdef"),
    ...     "published": ["2022-01-01", "2022-01-02", "2022-02-01", "2022-02-02", "2022-02-03", "2022-01-03"]})
    >>> rising_actors(m, arts, split="2022-02-01", min_count=1)[["actor", "before", "after"]]
      actor  before  after
    0     B       1      3
    1     A       2      0
    """
    _check_mentions(mentions)
    if (split is None) == (by is None):
        raise ParameterError("rising_actors: give split= (a date) or by= (a column), one of them")
    table = _articles_kept(articles, [by or "published"], copies)
    side = _sides(table, split=split, by=by)
    sides = dict(zip(table.loc[side.index, "article_id"], side))
    rows = _of_type(mentions if own_outlet else without_own_outlet(mentions, articles), type)
    rows = rows.assign(side=rows["article_id"].map(sides)).dropna(subset=["side"])
    counts = rows.groupby(["actor", "side"]).size().unstack(fill_value=0)
    for col in ("before", "after"):
        if col not in counts.columns:
            counts[col] = 0
    counts = counts[counts["before"] + counts["after"] >= min_count]
    n_before, n_after = max(int((side == "before").sum()), 1), max(int((side == "after").sum()), 1)
    c, d = max(int(rows["side"].eq("after").sum()), 1), max(int(rows["side"].eq("before").sum()), 1)
    a, b = counts["after"].to_numpy(), counts["before"].to_numpy()
    stat = g2(a, b, c, d)
    from scipy.stats import chi2

    p = chi2.sf(stat, 1)
    after = rows[rows["side"] == "after"]
    after_ids = {actor: sorted(set(ids)) for actor, ids in after.groupby("actor")["article_id"]}
    kinds = rows.groupby("actor")["type"].first()
    out = pd.DataFrame(
        {
            "actor": counts.index,
            "type": counts.index.map(kinds),
            "before": b,
            "after": a,
            "per_1k_before": (1000 * b / n_before).round(1),
            "per_1k_after": (1000 * a / n_after).round(1),
            "log_ratio": log_ratio(a, b, c, d).round(3),
            "log_ratio_low": log_ratio_low(a, b, c, d).round(3),
            "g2": stat.round(3),
            "p_adj": adjust_pvalues(p),
        }
    )
    out["significant"] = out["p_adj"] < alpha
    out["article_ids"] = [after_ids.get(actor, []) for actor in out["actor"]]
    out = out.sort_values(["log_ratio_low", "log_ratio", "after", "actor"],
                          ascending=[False, False, False, True]).reset_index(drop=True)  # fmt: skip
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    if top is not None:
        out = out.head(top)
    return out


def co_mentions(
    mentions: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] | None = None,
    level: Literal["sentence", "article"] = "sentence",
    type: str | Sequence[str] | None = None,
    min_weight: int = 1,
    top: int | None = 50,
    copies: Copies = "all",
) -> pd.DataFrame:
    """
    Pairs of actors named together, as a weighted edge table, optionally per group.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`analysis.entities`.
    articles : DataFrame, optional
        The articles the mentions came from; needed for ``by`` and
        ``copies="unique"`` (mentions of articles not in it are left out).
    by : str, sequence of str or None, default None
        Grouping column(s) of the articles: one edge table per group.
    level : {"sentence", "article"}, default "sentence"
        Together in one sentence, or anywhere in one article.
    type : str or sequence of str, optional
        Keep only these types (PERSON, ORG, PLACE, GROUP).
    min_weight : int, default 1
        Keep pairs named together at least this often.
    top : int or None, default 50
        Heaviest pairs kept (per group).
    copies : {"all", "unique"}, default "all"
        ``"unique"`` counts one copy per story.

    Returns
    -------
    DataFrame
        ``[*by, source, target, weight, articles, article_ids]``: ``weight`` the
        sentences (or articles) naming both, ``source`` before ``target`` in
        alphabetical order.

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "a", "a", "b"], "sentence": [0, 0, 1, 0],
    ...                   "actor": ["Putin", "Kyiv", "Kyiv", "Putin"], "type": ["PERSON", "PLACE"] * 2})
    >>> co_mentions(m)[["source", "target", "weight"]]
      source target  weight
    0   Kyiv  Putin       1
    """
    _check_mentions(mentions)
    if level not in ("sentence", "article"):
        raise ParameterError(f"level={level!r}; expected 'sentence' or 'article'")
    keys = as_list(by)
    rows = _of_type(mentions, type)
    if keys or unique_copies(copies):
        if articles is None:
            raise ParameterError(
                "co_mentions: by= and copies='unique' need the articles table: "
                "co_mentions(mentions, articles, ...)"
            )
        kept = _articles_kept(articles, keys, copies)
        rows = rows.drop(columns=[k for k in keys if k in rows.columns])
        rows = rows.merge(kept[["article_id", *keys]], on="article_id")
    unit = ["article_id", "sentence"] if level == "sentence" else ["article_id"]
    if level == "sentence":
        _check_mentions(rows, ("sentence",))
    weight: Counter = Counter()
    ids: dict[tuple, set] = {}
    for key, actors in rows.groupby([*keys, *unit], sort=False, dropna=False)["actor"]:
        key = key if isinstance(key, tuple) else (key,)
        for pair in itertools.combinations(sorted(set(actors.dropna())), 2):
            edge = (*key[: len(keys)], *pair)
            weight[edge] += 1
            ids.setdefault(edge, set()).add(key[len(keys)])
    out = pd.DataFrame(
        [(*edge, w, len(ids[edge]), sorted(ids[edge])) for edge, w in weight.items()],
        columns=[*keys, "source", "target", "weight", "articles", "article_ids"],
    )
    out = out[out["weight"] >= min_weight].sort_values(
        [*keys, "weight", "articles", "source", "target"],
        ascending=[True] * len(keys) + [False, False, True, True],
    )
    if top is not None:
        out = out.groupby(keys, sort=False, dropna=False).head(top) if keys else out.head(top)
    out = out.reset_index(drop=True)
    out.attrs["level"] = level
    return out


def actor_tone(
    mentions: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    actors: Sequence[str] | None = None,
    top: int = 10,
    type: str | Sequence[str] | None = ("PERSON", "ORG"),
    by: str | Sequence[str] | None = None,
    freq: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """
    Tone of the sentences naming each actor: targeted tone with the actor's spellings as targets.

    The targets of :func:`analysis.targeted_tone` are the actors (the ``top`` named
    most, or ``actors``), each matched by every spelling its mentions have
    ("Zelensky", "Zelenskyy", "Volodymyr Zelensky"...).

    Parameters
    ----------
    sentences : DataFrame
        Sentence scores from :func:`analysis.sentence_sentiment`.
    options
        Passed to :func:`analysis.targeted_tone` (``n_boot``, ``exclusive``, ...).

    Returns
    -------
    DataFrame
        The table of :func:`analysis.targeted_tone`, ``target`` being the actor.
    """
    from analysis.measures.tone import targeted_tone

    _check_mentions(mentions, ("actor", "text", "type"))
    rows = _of_type(mentions, type)
    chosen = (
        list(actors) if actors is not None else rows["actor"].value_counts().index[:top].tolist()
    )
    spellings = (
        rows[rows["actor"].isin(chosen)]
        .groupby("actor")["text"]
        .agg(lambda s: sorted({clean_name(t) for t in s if t and not set('|*"') & set(t)}))
    )
    targets = {a: "|".join(spellings[a]) for a in chosen if a in spellings and spellings[a]}
    if not targets:
        return pd.DataFrame(columns=["target", "n", "n_clusters", "mean", "ci_low", "ci_high"])
    return targeted_tone(sentences, targets, by=by, freq=freq, **options)


def quote_actors(
    quotes: pd.DataFrame, mentions: pd.DataFrame, *, aliases: Any = None
) -> pd.DataFrame:
    """
    Give each quote's speaker the actor the mentions give that name, so quoted and named compare.

    A speaker takes the actor of a person named in the same article whose name or
    surname it matches ("Kuleba" -> "Dmytro Kuleba"), else the actor the corpus's
    mentions give its name, else its own canonical name (spellings, titles and the
    alias file folded as for mentions). Unnamed sources keep no actor.

    Returns
    -------
    DataFrame
        ``quotes`` with an ``actor`` column.

    Examples
    --------
    >>> q = pd.DataFrame({"article_id": ["a"], "speaker": ["Kuleba"], "anonymous": [False]})
    >>> m = pd.DataFrame({"article_id": ["a"], "text": ["Dmytro Kuleba"], "type": ["PERSON"],
    ...                   "actor": ["Dmytro Kuleba"]})
    >>> quote_actors(q, m)["actor"].tolist()
    ['Dmytro Kuleba']
    """
    for col in ("article_id", "speaker"):
        if col not in quotes.columns:
            raise SchemaError(col, "missing; pass the table from analysis.extract_quotes")
    quotes = gather(quotes, list(quotes.columns))  # a Dask table of quotes is read whole
    _check_mentions(mentions, ("article_id", "text", "actor"))
    table = aliases_with_bundled(aliases)
    keys = mentions["text"].astype(str).map(name_key)
    known = pd.DataFrame({"a": mentions["article_id"].to_numpy(), "key": keys.to_numpy(),
                          "actor": mentions["actor"].to_numpy()})  # fmt: skip
    known = known.assign(last=known["key"].str.rsplit(" ", n=1).str[-1])
    in_article = {
        **known.drop_duplicates(["a", "last"]).set_index(["a", "last"])["actor"].to_dict(),
        **known.drop_duplicates(["a", "key"]).set_index(["a", "key"])["actor"].to_dict(),
    }
    corpus = commonest(known["key"], known["actor"])
    anonymous = quotes["anonymous"].fillna(False).to_numpy(bool) if "anonymous" in quotes else None
    speakers = quotes["speaker"].astype("string")
    own = canonical_names(
        pd.DataFrame({"article_id": quotes["article_id"].to_numpy(),
                      "text": speakers.fillna("").to_numpy(), "type": "PERSON"}),
        aliases=table,
    )["actor"]  # fmt: skip
    out = []
    for i, (aid, name) in enumerate(zip(quotes["article_id"], speakers)):
        if pd.isna(name) or not str(name).strip() or (anonymous is not None and anonymous[i]):
            out.append(pd.NA)
            continue
        key = table.merge.get(name_key(name), name_key(name))
        out.append(in_article.get((aid, key)) or corpus.get(key) or own.iloc[i])
    return quotes.assign(actor=pd.array(out, dtype="string"))


def mentioned_vs_quoted(
    mentions: pd.DataFrame,
    quotes: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    articles: pd.DataFrame | None = None,
    type: str | Sequence[str] | None = ("PERSON", "ORG"),
    top: int | None = 20,
    aliases: Any = None,
) -> pd.DataFrame:
    """
    For each actor, how often it is named and how often it is quoted.

    Quote speakers are given actors by :func:`quote_actors` (unless ``quotes``
    already has an ``actor`` column).

    Returns
    -------
    DataFrame
        ``[*by, actor, type, mentions, mention_articles, quotes, quote_articles,
        quoted_share]``, the actors named most first: ``quoted_share`` the share of
        the articles naming the actor that quote it.

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "b"], "text": ["Peskov", "Dmitry Peskov"],
    ...                   "type": ["PERSON"] * 2, "actor": ["Dmitry Peskov"] * 2})
    >>> q = pd.DataFrame({"article_id": ["a"], "speaker": ["Peskov"]})
    >>> mentioned_vs_quoted(m, q)[["actor", "mentions", "quotes", "quoted_share"]]
               actor  mentions  quotes  quoted_share
    0  Dmitry Peskov         2       1           0.5
    """
    _check_mentions(mentions)
    keys = as_list(by)
    quotes = gather(quotes, ["article_id", "speaker", "anonymous", "actor"])
    if "actor" not in quotes.columns:
        quotes = quote_actors(quotes, mentions, aliases=aliases)
    rows = _of_type(mentions, type)
    if keys:
        if articles is None:
            raise ParameterError("by= needs the articles table (articles=...)")
        lookup = gather(articles, ["article_id", *keys]).drop_duplicates("article_id")
        lookup = lookup.set_index("article_id")
        rows = rows.assign(**{k: rows["article_id"].map(lookup[k]) for k in keys})
        quotes = quotes.assign(**{k: quotes["article_id"].map(lookup[k]) for k in keys})
    named = rows.groupby([*keys, "actor"]).agg(
        type=("type", "first"), mentions=("article_id", "size"),
        mention_articles=("article_id", "nunique"),
    )  # fmt: skip
    said = (
        quotes.dropna(subset=["actor"])
        .groupby([*keys, "actor"])
        .agg(quotes=("article_id", "size"), quote_articles=("article_id", "nunique"))
    )
    out = named.join(said, how="left").fillna({"quotes": 0, "quote_articles": 0}).reset_index()
    out[["quotes", "quote_articles"]] = out[["quotes", "quote_articles"]].astype(int)
    out["quoted_share"] = (out["quote_articles"] / out["mention_articles"]).clip(upper=1).round(3)
    out = out.sort_values(
        [*keys, "mentions", "actor"], ascending=[True] * len(keys) + [False, True]
    )
    if top is not None:
        out = out.groupby(keys, sort=False).head(top) if keys else out.head(top)
    return out.reset_index(drop=True)
