"""Who is quoted: find quotes and attributed statements in news text, and count sources.

The extractor is a set of transparent rules for English news attribution, in the
order a reader applies them:

1. **Direct quotes.** Quotation marks are paired inside each paragraph (curly
   ``“ ”``, straight ``"``, the doubled apostrophes ``''`` of some archives, and
   single marks ``‘ ’``/``'`` in a paragraph with no double ones, the British
   habit). A quote left open at the end of a paragraph continues when the next
   paragraph opens with a quotation mark (the newspaper convention for a long
   quote). A quote is attributed by a cue next to it: ``"...," Kuleba said``,
   ``"...," said Kuleba``, ``Kuleba said: "..."``. A quote interrupted by its
   attribution (``"A," she said, "B."``) and further quoted sentences right after
   it in the same paragraph are one quote. A quoted sentence of 8 words or more
   with no cue is kept; it takes the speaker of a direct quote ending at most two
   sentences before, else it stays ``"unattributed"``.
2. **Reported speech.** In a sentence outside quotation marks, a cue verb (say,
   tell, add, argue, warn, ...) with a subject before it attributes the clause
   after it (``X said (that) ...``, ``X told Reuters ...``) or, when nothing but
   time and place follows the cue, the clause before it (``..., two officials
   said.``). Verbs of thinking, wanting and judging (believe, plan, criticize,
   ...) give ``"stance"`` rows the same way.
3. **According to.** ``According to X, ...`` and ``..., according to X.``
4. **Speaker lines.** ``Ben Carson: ...`` (headlines, transcripts).

Speakers are normalised: titles are dropped (``Kremlin spokesperson Dmitry
Peskov`` -> ``Dmitry Peskov``), a surname resolves to the fullest form of the name
used in the same article (``Kuleba`` -> ``Dmytro Kuleba``). ``he``/``she``
resolves to the speaker of an attribution in the same or the two sentences
before when that speaker is a person (a name, or one unnamed official, who then
stays anonymous); failing that, to the person named first (the subject, most
often) in the same sentence before the pronoun, else in the previous sentence,
leaving out names in quotation marks, names that qualify another ("McConnell
spokesman Don Stewart") and people known to be of the other sex (Mr./Ms., or a
first name such as Hillary or Donald). ``it`` takes an organisation or a
document that spoke just before ("The ministry said ... It added"), ``they``
several people ("two officials said ... They added"). A pronoun left
unresolved, and "I", "we", "you", leaves the speaker missing (unattributed);
``mention`` keeps it as written.
Unnamed sources ("a senior official", "two officials", "a source", anything
said "on condition of anonymity") are kept with ``anonymous=True``.

:func:`evaluate_quotes` scores extracted quotes against hand-annotated content
spans (for example PolNeAR's brat files, read with :func:`read_brat`).

This module holds the tables (:func:`extract_quotes`, :func:`who_is_quoted`) and
gives every public name; the rules live beside it: ``quotes_lexicon`` (word lists),
``quotes_speakers`` (sentences, names, speakers), ``quotes_direct`` (quotation
marks), ``quotes_reported`` (reported speech, "according to"), ``quotes_article``
(one article's attributions) and ``quotes_eval`` (brat reading and scoring).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.engine import each_partition, gather, is_dask
from analysis.errors import ParameterError
from analysis.measures.quotes_article import _article_rows, _check_articles
from analysis.measures.quotes_eval import GOLD_COLUMNS, evaluate_quotes, parse_brat, read_brat
from analysis.measures.quotes_lexicon import _PRONOUNS
from analysis.options import renamed
from analysis.schema import with_text

__all__ = [
    "QUOTE_COLUMNS",
    "PARALLEL_MIN_CHARS",
    "ANONYMOUS",
    "UNATTRIBUTED",
    "QUOTED_KINDS",
    "GOLD_COLUMNS",
    "extract_quotes",
    "who_is_quoted",
    "parse_brat",
    "read_brat",
    "evaluate_quotes",
]

log = logging.getLogger(__name__)

QUOTE_COLUMNS = [
    "article_id",
    "outlet",
    "published",
    "speaker",
    "mention",
    "anonymous",
    "cue",
    "quote",
    "kind",
    "start",
    "end",
    "spans",
    "speaker_start",
    "speaker_end",
]

#: Above this many characters of text, :func:`extract_quotes` shares the work between processes.
PARALLEL_MIN_CHARS = 400_000

_SHARED: dict = {}


def _rows_of_slice(bounds: tuple[int, int]) -> list[list[tuple]]:
    start, stop = bounds
    return [_article_rows(t) for t in _SHARED["texts"][start:stop]]


def _rows_per_article(texts: list, *, n_jobs: int | None) -> list[list[tuple]]:
    """Rows of every article, in order, over several processes for large inputs."""
    from analysis.workers import n_workers, tqdm_class

    bar_of = tqdm_class()
    chars = [len(t) if isinstance(t, str) else 0 for t in texts]
    if n_jobs is None and sum(chars) < PARALLEL_MIN_CHARS:
        workers = 1
    else:
        workers = n_workers(n_jobs, sys.maxsize)  # n_jobs, else every available core
    show = len(texts) >= 2000 and sys.stderr.isatty()
    if workers > 1 and len(texts) >= 2 * workers:
        import multiprocessing as mp

        try:
            ctx = mp.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            ctx = None
        if ctx is not None:
            # Slices of about equal characters, several per process so that none idles.
            cum = np.cumsum(chars)
            n_parts = min(len(texts), 8 * workers)
            cuts = sorted(
                {0, len(texts)}
                | {int(np.searchsorted(cum, cum[-1] * k / n_parts)) for k in range(1, n_parts)}
            )
            bounds = list(zip(cuts, cuts[1:]))
            _SHARED["texts"] = texts
            out: list[list[tuple]] = []
            try:
                with (
                    ctx.Pool(workers) as pool,
                    bar_of(
                        total=len(texts), disable=not show, desc="quotes", unit="article"
                    ) as bar,
                ):
                    for (a, b), part in zip(bounds, pool.imap(_rows_of_slice, bounds)):
                        out.extend(part)
                        bar.update(b - a)
            finally:
                _SHARED.clear()
            return out
    return [
        _article_rows(t) for t in bar_of(texts, disable=not show, desc="quotes", unit="article")
    ]


def extract_quotes(articles: pd.DataFrame, *, n_jobs: int | None = None) -> pd.DataFrame:
    """
    Find quotes and attributed statements, with their speakers, in article texts.

    Parameters
    ----------
    articles : DataFrame
        Canonical articles table; needs ``article_id`` and ``text``. ``outlet`` and
        ``published`` are carried over when present.
    n_jobs : int or None, default None
        Processes to share the articles between; None uses every available core
        when the texts hold more than ``PARALLEL_MIN_CHARS`` characters. The result
        is the same for any number.

    Returns
    -------
    DataFrame
        One row per attribution, in article order, with columns

        - ``article_id``, ``outlet``, ``published``: from the article;
        - ``speaker``: the source, normalised (titles dropped, fullest form of the
          name in the article, pronouns resolved as the module documentation
          says); missing for an unattributed quote and for a pronoun left
          unresolved;
        - ``mention``: the speaker as written (``"Kuleba"``, ``"he"``,
          ``"a senior US State Department official"``);
        - ``anonymous``: True for an unnamed source;
        - ``cue``: the attributing word (``said``, ``told``, ``according to``);
        - ``quote``: what was said; for a quote in several pieces (interrupted by
          its attribution, or running over paragraphs) the pieces joined by a space;
        - ``kind``: ``"direct"`` (in quotation marks), ``"reported"`` (indirect
          speech: said, told, warned...), ``"according_to"``, ``"stance"`` (a
          view or intention attributed with a verb of thinking or judging:
          believes, fears, criticized, plans...) or ``"unattributed"`` (a quoted
          sentence whose speaker was not found);
        - ``start``, ``end``: character offsets into ``text`` from the first piece
          of the quote to the end of its last piece (quotation marks excluded);
        - ``spans``: the pieces as a list of ``(start, end)`` pairs;
        - ``speaker_start``, ``speaker_end``: offsets of ``mention``.

    Raises
    ------
    SchemaError
        When ``article_id`` or ``text`` is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"article_id": ["a1"], "text": [
    ...     'Foreign Minister Dmytro Kuleba spoke. "We will not give up," Kuleba said.']})
    >>> extract_quotes(df)[["speaker", "cue", "quote", "kind"]]
             speaker   cue                 quote    kind
    0  Dmytro Kuleba  said  We will not give up,  direct
    """
    if is_dask(articles):  # each partition on its own, lazily: quotes depend on their article alone
        return each_partition(articles, extract_quotes)
    _check_articles(articles, ("article_id", "text"))
    articles = with_text(articles)
    n = len(articles)
    outlets = (
        articles["outlet"]
        if "outlet" in articles.columns
        else pd.Series(pd.NA, index=articles.index)
    )
    published = (
        articles["published"]
        if "published" in articles.columns
        else pd.Series(pd.NaT, index=articles.index)
    )
    texts = articles["text"].tolist()
    rows = []
    per_article = _rows_per_article(texts, n_jobs=n_jobs)
    for aid, outlet, pub, found in zip(
        articles["article_id"], outlets, published, per_article, strict=True
    ):
        rows.extend((aid, outlet, pub, *r) for r in found)
    out = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    out = out.astype(
        {
            "article_id": "string",
            "outlet": "string",
            "speaker": "string",
            "mention": "string",
            "anonymous": "bool",
            "cue": "string",
            "quote": "string",
            "kind": "string",
            "start": "int64",
            "end": "int64",
            "speaker_start": "Int64",
            "speaker_end": "Int64",
        }
    )
    if "published" in articles.columns:
        dtype = articles["published"].dtype
        if out["published"].isna().all():  # undated articles only: no value to convert
            out["published"] = pd.Series(pd.NaT, index=out.index, dtype=dtype)
        else:
            out["published"] = out["published"].astype(dtype)
    log.info("found %d quotes in %d articles", len(out), n)
    return out


#: label under which unnamed sources are pooled by :func:`who_is_quoted`
ANONYMOUS = "(anonymous)"
#: label of the quotes whose speaker is not known (no speaker, or a pronoun left unresolved)
UNATTRIBUTED = "(unattributed)"
QUOTED_KINDS = ("direct", "reported", "according_to")


@renamed(top_n="top")
def who_is_quoted(
    quotes: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    top: int | None = 10,
    kinds: Iterable[str] | None = QUOTED_KINDS,
    pool_anonymous: bool = True,
) -> pd.DataFrame:
    """
    Rank who is quoted, per group, with shares and the articles behind each count.

    ``quotes`` counts quotes and ``articles`` the distinct articles that quote the
    speaker (an article quoting Peskov three times is 3 quotes, 1 article). The
    quotes whose speaker is not known (none found, or a pronoun left unresolved,
    "he" or "It") are one row per group, ``"(unattributed)"``, placed after the
    ranked sources and not ranked among them (its ``rank`` is missing); they count
    in the group's quotes, so the shares of a group add up to 1.

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    by : str, sequence of str or None, default "outlet"
        Column(s) to group by; ``None`` ranks the whole corpus.
    top : int or None, default 10
        Ranked speakers kept per group (``None`` keeps all); the
        ``"(unattributed)"`` row comes in addition. Shares are computed before
        the cut, over every quote of the group.
    kinds : iterable of str or None, default ("direct", "reported", "according_to")
        Kinds of attribution counted; ``None`` counts all, including ``"stance"``.
    pool_anonymous : bool, default True
        Count every unnamed source as one speaker, ``"(anonymous)"``.

    Returns
    -------
    DataFrame
        Long table ``[*by, "rank", "speaker", "quotes", "share", "articles",
        "anonymous", "group_quotes", "group_articles", "anonymous_share",
        "article_ids"]``: ``quotes`` the speaker's quotes, ``articles`` the
        distinct articles quoting the speaker, ``share`` the speaker's part of the
        group's quotes, ``group_quotes`` is N, ``group_articles`` the distinct
        articles of the group with a quote, ``anonymous_share`` the part of the
        group's quotes from unnamed sources, ``article_ids`` the articles to read
        (drill-down: filter ``quotes`` on them).

    Raises
    ------
    SchemaError
        When a needed column is missing.
    ParameterError
        When ``top`` is not a positive integer.

    Examples
    --------
    >>> q = pd.DataFrame({"article_id": ["a", "a", "b"], "outlet": ["X", "X", "X"],
    ...     "speaker": ["Ann Lee", "a source", "Ann Lee"], "anonymous": [False, True, False],
    ...     "kind": ["direct", "reported", "direct"]})
    >>> who_is_quoted(q)[["outlet", "speaker", "quotes", "share", "anonymous_share"]]
      outlet      speaker  quotes     share  anonymous_share
    0      X      Ann Lee       2  0.666667         0.333333
    1      X  (anonymous)       1  0.333333         0.333333
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    # on Dask, one small row per quote is gathered; the quoted text is not
    quotes = gather(quotes, [*keys, "article_id", "speaker", "anonymous", "kind"])
    _check_articles(quotes, [*keys, "article_id", "speaker", "anonymous", "kind"])
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
        raise ParameterError(f"top must be a positive integer or None, got {top!r}")
    q = quotes if kinds is None else quotes[quotes["kind"].isin(list(kinds))]
    speaker = q["speaker"].astype("string")
    if pool_anonymous:
        speaker = speaker.mask(q["anonymous"].fillna(False).astype(bool), ANONYMOUS)
    unknown = speaker.isna() | speaker.str.lower().isin(_PRONOUNS).fillna(False)
    q = q.assign(speaker=speaker.mask(unknown, UNATTRIBUTED), _one=1, _unknown=unknown)
    group_cols = keys or ["_all"]
    if not keys:
        q = q.assign(_all="all")
    columns = [
        *keys,
        "rank",
        "speaker",
        "quotes",
        "share",
        "articles",
        "anonymous",
        "group_quotes",
        "group_articles",
        "anonymous_share",
        "article_ids",
    ]
    if q.empty:
        return pd.DataFrame(columns=columns)
    groups = q.groupby(group_cols, sort=True, dropna=False)
    totals = groups.agg(
        group_quotes=("_one", "size"),
        group_articles=("article_id", "nunique"),
        anonymous_share=("anonymous", "mean"),
    )
    per = (
        q.groupby([*group_cols, "speaker"], sort=False, dropna=False)
        .agg(
            quotes=("_one", "size"),
            articles=("article_id", "nunique"),
            anonymous=("anonymous", "all"),
        )
        .reset_index()
        .join(totals, on=group_cols)
    )
    per["share"] = per["quotes"] / per["group_quotes"]
    # the unattributed row after the ranked sources of its group, unranked
    per["_last"] = per["speaker"] == UNATTRIBUTED
    per = per.sort_values(
        [*group_cols, "_last", "quotes", "speaker"],
        ascending=[*([True] * len(group_cols)), True, False, True],
    )
    rank = per.groupby([*group_cols, "_last"], dropna=False).cumcount() + 1
    per["rank"] = rank.astype("Int64").mask(per["_last"])
    if top is not None:
        per = per[per["_last"] | (per["rank"] <= top)]
    # the articles of the rows kept only (most speakers fall below top)
    pair = [*group_cols, "speaker"]
    kept = q.merge(per[pair], on=pair) if top is not None else q
    article_ids = (
        kept.groupby(pair, sort=False, dropna=False)["article_id"]
        .agg(lambda s: sorted(set(s)))
        .rename("article_ids")
        .reset_index()
    )
    # a merge, not a join: a join on a MultiIndex with a missing group key mismatches rows
    per = per.merge(article_ids, on=pair, how="left").set_index(per.index)
    per["anonymous_share"] = per["anonymous_share"].astype(float)
    return per[columns].reset_index(drop=True)
