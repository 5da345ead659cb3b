"""How :func:`analysis.topics` turns texts into term weights, fits topics and reads them.

Private to :mod:`analysis.measures.topics`. Documents become terms with the
toolkit's own tokenizer and stopwords (:mod:`analysis.text.tokens`): single words
and numbers (two-word phrases can be asked for, see :func:`terms_of`), counted for
all texts at once with Arrow's kernels (the counts of :func:`terms_of`).
Two methods fit topics:

- ``"nmf"``: non-negative matrix factorisation of TF-IDF weights (smoothed idf, rows of unit length), started from NNDSVD, so a fit is the same
  on every run;
- ``"lda"``: latent Dirichlet allocation of counts, with a small prior on the
  topics of a document (most documents hold one or two topics).

Both give a topic x term matrix; the topics of any document are then read with
that matrix held fixed (:func:`assign`), so the articles of the fit and new
articles are assigned the same way.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import digamma

from analysis.measures.arrowcounters import per_article_arrays
from analysis.measures.counters import per_article_counts
from analysis.text.tokens import default_stopwords, tokenize

#: Options of the term table, per method (chosen by measuring on Reuters-21578, see
#: docs/measures.md): numbers ("1986", "4th") helped both methods tell apart the
#: stories of company results; two-word phrases split the topics along the
#: formulas of wire copy ("mln dlrs", "cts vs") and are left out.
TERM_OPTIONS = {
    "nmf": {"min_df": 2, "max_df": 0.5, "bigrams": False, "numbers": True},
    "lda": {"min_df": 2, "max_df": 0.5, "bigrams": False, "numbers": True},
}

#: Prior on the topics of one document for LDA (sklearn's default is 1/k).
LDA_DOC_PRIOR = 0.1

#: A text with fewer words than this on average counts as short (``method="auto"``).
SHORT_TEXT_WORDS = 60


def terms_of(text: str, *, stop: frozenset[str], bigrams: bool, numbers: bool) -> list[str]:
    """
    Return the terms of one text: kept words and, with ``bigrams``, pairs of neighbouring kept words.

    A kept word is longer than one character, no stopword, and holds a letter
    unless ``numbers`` keeps numbers too.

    Examples
    --------
    >>> stop = frozenset({"the", "in"})
    >>> terms_of("The 2 peace talks in Geneva stalled.", stop=stop, bigrams=True, numbers=False)
    ['peace', 'talks', 'geneva', 'stalled', 'peace talks', 'talks geneva', 'geneva stalled']
    """
    words = [
        t
        for t in tokenize(text)
        if len(t) > 1 and t not in stop and (numbers or any(c.isalpha() for c in t))
    ]
    if bigrams:
        return words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    return words


def analyzer(bigrams: bool, numbers: bool):
    """The term function handed to scikit-learn's vectorizer (picklable, for Dask workers)."""
    return functools.partial(terms_of, stop=default_stopwords(), bigrams=bigrams, numbers=numbers)


def count_matrix(texts, vocabulary: list[str], *, bigrams: bool, numbers: bool):
    """Count the terms of ``vocabulary`` in each text (rows: texts; columns: the vocabulary)."""
    texts = list(texts)
    if bigrams:  # pairs of words need each text's words in order: the term function reads them
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(analyzer=analyzer(bigrams, numbers), vocabulary=vocabulary)
        return _canonical(vec.transform(texts))
    terms, counts = _word_counts(texts, numbers)
    column = {term: i for i, term in enumerate(vocabulary)}
    known = np.array([column.get(t, -1) for t in terms], dtype=np.int64)
    held = known[counts.indices] >= 0
    rows = np.repeat(np.arange(len(texts)), np.diff(counts.indptr))[held]
    shape = (len(texts), len(vocabulary))
    matrix = sparse.csr_matrix((counts.data[held], (rows, known[counts.indices][held])), shape)
    return _canonical(matrix)


def _canonical(matrix) -> sparse.csr_matrix:
    """Float CSR with each row's terms in column order (sums then run in one order everywhere)."""
    out = sparse.csr_matrix(matrix, dtype=np.float64)
    out.sort_indices()
    return out


def _token_entries(texts: list[str]):
    """
    Return ``(tokens, rows, ids, counts)``: text ``rows[i]`` holds ``tokens[ids[i]]`` ``counts[i]`` times.

    The tokens are those of :func:`analysis.text.tokens.tokenize`, found by Arrow's
    kernels (one text at a time when a text is not valid UTF-8).
    """
    import pyarrow as pa

    try:
        return per_article_arrays(pa.array(texts, pa.large_string()))
    except (pa.ArrowException, UnicodeError):  # a lone surrogate
        pass
    token_id: dict[str, int] = {}
    rows, ids, counts = [], [], []
    for row, counted in enumerate(per_article_counts(texts)):
        for token, n in counted.items():
            rows.append(row)
            ids.append(token_id.setdefault(token, len(token_id)))
            counts.append(n)
    as_ints = functools.partial(np.asarray, dtype=np.int64)
    return list(token_id), as_ints(rows), as_ints(ids), as_ints(counts)


def _word_counts(texts: list[str], numbers: bool):
    """
    Return the kept words of the texts (sorted) and each text's counts of them (CSR).

    The same counts as :func:`terms_of` without ``bigrams``, for all texts at once.
    """
    tokens, rows, ids, counts = _token_entries(texts)
    stop = default_stopwords()
    kept = [
        i
        for i, t in enumerate(tokens)
        if t is not None
        and len(t) > 1
        and t not in stop
        and (numbers or any(c.isalpha() for c in t))
    ]
    kept.sort(key=tokens.__getitem__)
    column = np.full(max(len(tokens), 1), -1, dtype=np.int64)
    column[kept] = np.arange(len(kept))
    held = column[ids] >= 0
    shape = (len(texts), len(kept))
    matrix = sparse.csr_matrix((counts[held], (rows[held], column[ids][held])), shape)
    return [tokens[i] for i in kept], _canonical(matrix)


def learn_vocabulary(texts, *, min_df: int, max_df: float, bigrams: bool, numbers: bool):
    """
    Return the vocabulary (sorted), the counts of ``texts`` over it, and document frequencies.

    A term is kept when at least ``min_df`` texts and at most a share ``max_df``
    of them hold it (with fewer than 20 texts, any share; ``min_df`` at most half
    the texts).
    """
    texts = list(texts)
    n = len(texts)
    min_df = min(min_df, max(1, n // 2))
    max_df = max_df if n >= 20 else 1.0
    if bigrams:
        return _learn_with_pairs(texts, min_df=min_df, max_df=max_df, numbers=numbers)
    terms, counts = _word_counts(texts, numbers)
    df = np.bincount(counts.indices, minlength=len(terms))
    keep = np.flatnonzero((df >= min_df) & (df <= max_df * n))
    if not len(keep):  # every term pruned, or no term at all
        return [], sparse.csr_matrix((n, 0)), np.zeros(0)
    return [terms[i] for i in keep], _canonical(counts[:, keep]), df[keep]


def _learn_with_pairs(texts: list[str], *, min_df: int, max_df: float, numbers: bool):
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer=analyzer(True, numbers), min_df=min_df, max_df=max_df)
    try:
        counts = _canonical(vec.fit_transform(texts))
    except ValueError:  # every term pruned, or no term at all
        return [], sparse.csr_matrix((len(texts), 0)), np.zeros(0)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    return list(vec.get_feature_names_out()), counts, df


def smooth_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Inverse document frequency, smoothed as if one more document held every term."""
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """TF-IDF weights of a count matrix, each row scaled to unit length."""
    weights = counts.copy()
    weights.data = weights.data * idf[weights.indices]
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ weights


def fit_components(method: str, counts: sparse.csr_matrix, idf: np.ndarray, k: int, seed: int):
    """Fit ``k`` topics; return the topic x term matrix (non-negative), the largest topic first."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # the topics of a fit stopped at its iteration limit are still read as they are
        warnings.simplefilter("ignore", ConvergenceWarning)
        components, weights = _fit(method, counts, idf, k, seed)
    totals = weights.sum(axis=1, keepdims=True)
    shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    return components[np.argsort(-shares.sum(axis=0), kind="stable")]


def _fit(method: str, counts: sparse.csr_matrix, idf: np.ndarray, k: int, seed: int):
    if method == "nmf":
        from sklearn.decomposition import NMF

        model = NMF(n_components=k, init="nndsvd", max_iter=400, random_state=seed)
        weights = model.fit_transform(tfidf(counts, idf))
        return model.components_, weights
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(
        n_components=k,
        doc_topic_prior=LDA_DOC_PRIOR,
        learning_method="batch",
        max_iter=30,
        random_state=seed,
    )
    weights = model.fit_transform(counts)
    return model.components_, weights


def assign(method: str, counts: sparse.csr_matrix, components: np.ndarray, idf: np.ndarray):
    """
    Return each document's share of every topic (rows sum to 1; 0 for a document with no known term).

    NMF: the non-negative weights that best rebuild the document's TF-IDF row
    from the fixed topics; LDA: the expected topic proportions of the
    variational posterior with the topics fixed.
    """
    if method == "nmf":
        weights = _nmf_weights(tfidf(counts, idf), components)
    else:
        weights = _lda_weights(counts, components)
    totals = weights.sum(axis=1, keepdims=True)
    empty = np.asarray(counts.sum(axis=1)).ravel() == 0
    shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    shares[empty] = 0.0
    return shares


def _nmf_weights(x: sparse.csr_matrix, components: np.ndarray, sweeps: int = 300):
    """
    Non-negative least squares of each row on the fixed topics, by coordinate descent.

    Every row is solved on its own from the same start, and stops when its own
    weights change by less than 1e-6 in a sweep, so a row gets the same weights
    whatever table or partition it comes in.
    """
    k = components.shape[0]
    gram = components @ components.T
    target = np.asarray(x @ components.T)
    w = np.zeros((x.shape[0], k))
    diag = np.maximum(np.diag(gram), 1e-12)
    active = np.flatnonzero(target.max(axis=1, initial=0.0) > 0)
    for _ in range(sweeps):
        if not len(active):
            break
        part, goal = w[active], target[active]
        before = part.copy()
        for j in range(k):
            grad = (part * gram[j]).sum(axis=1) - goal[:, j]
            part[:, j] = np.maximum(0.0, part[:, j] - grad / diag[j])
        w[active] = part
        active = active[np.abs(part - before).max(axis=1) >= 1e-6]
    return w


def _lda_weights(counts: sparse.csr_matrix, components: np.ndarray, batch: int = 2048):
    """
    Variational E-step of LDA with the topics fixed, many documents at once.

    A document stops when its own topic weights change by less than 1e-4 on
    average, so it gets the same weights whatever table or partition it comes in.
    """
    k = components.shape[0]
    exp_beta = np.exp(digamma(components) - digamma(components.sum(axis=1, keepdims=True)))
    out = np.zeros((counts.shape[0], k))
    for start in range(0, counts.shape[0], batch):
        part = counts[start : start + batch]
        gamma = np.ones((part.shape[0], k))
        active = np.flatnonzero(np.asarray(part.sum(axis=1)).ravel() > 0)
        for _ in range(200):
            if not len(active):
                break
            rows = part[active].tocoo()
            g = gamma[active]
            exp_theta = np.exp(digamma(g) - digamma(g.sum(axis=1, keepdims=True)))
            norm = np.einsum("ik,ki->i", exp_theta[rows.row], exp_beta[:, rows.col]) + 1e-100
            ratio = sparse.csr_matrix((rows.data / norm, (rows.row, rows.col)), shape=rows.shape)
            new = LDA_DOC_PRIOR + exp_theta * np.asarray(ratio @ exp_beta.T)
            done = np.abs(new - g).mean(axis=1) < 1e-4
            gamma[active] = new
            active = active[~done]
        gamma[np.asarray(part.sum(axis=1)).ravel() == 0] = 0.0
        out[start : start + part.shape[0]] = gamma
    return out


def largest_topic_share(shares: np.ndarray) -> float:
    """
    Share of the documents (with a known term) whose main topic is the most common main topic.

    Examples
    --------
    >>> largest_topic_share(np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.0, 0.0]]))
    0.6666666666666666
    """
    kept = shares[shares.sum(axis=1) > 0]
    if not len(kept):
        return 0.0
    sizes = np.bincount(kept.argmax(axis=1), minlength=shares.shape[1])
    return float(sizes.max() / len(kept))


# --------------------------------------------------------------------------- reading topics


def _ecdf(values: np.ndarray) -> np.ndarray:
    """Per row, the share of the row's values at or below each value."""
    order = values.argsort(axis=1).argsort(axis=1)
    return (order + 1) / values.shape[1]


def frex(components: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """
    FREX score of every topic x term: harmonic mean of the ranks of frequency and exclusivity.

    Frequency is the term's share of the topic; exclusivity its share of the
    term's weight over all topics. Both become ranks within the topic (their
    empirical distribution), so a term scores high when it is both common in the
    topic and rare in the others.
    """
    beta = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-300)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    return 1.0 / (weight / _ecdf(excl) + (1 - weight) / _ecdf(beta))


def top_terms(scores: np.ndarray, top: int) -> np.ndarray:
    """Column indices of the ``top`` highest scores of each row, highest first."""
    top = min(top, scores.shape[1])
    return np.argsort(-scores, axis=1, kind="stable")[:, :top]


def npmi_coherence(presence: sparse.csr_matrix, term_ids: np.ndarray) -> np.ndarray:
    """
    Mean normalised pointwise mutual information of each topic's top terms.

    Probabilities are shares of documents holding a term (or both terms);
    a pair that never occurs together counts -1.
    """
    n = presence.shape[0]
    out = np.zeros(len(term_ids))
    for t, ids in enumerate(term_ids):
        cols = presence[:, ids].tocsc().astype(np.float64)
        both = (cols.T @ cols).toarray() / max(n, 1)
        single = np.diag(both).copy()
        scores = []
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                p_ij = both[i, j]
                if p_ij <= 0 or single[i] <= 0 or single[j] <= 0:
                    scores.append(-1.0)
                elif p_ij >= 1.0:
                    scores.append(1.0)
                else:
                    pmi = np.log(p_ij / (single[i] * single[j]))
                    scores.append(pmi / -np.log(p_ij))
        out[t] = float(np.mean(scores)) if scores else 0.0
    return out


def exclusivity(term_ids: np.ndarray) -> np.ndarray:
    """Share of each topic's top terms that are among no other topic's top terms."""
    out = np.zeros(len(term_ids))
    for t, ids in enumerate(term_ids):
        others = set(np.concatenate([term_ids[u] for u in range(len(term_ids)) if u != t] or [[]]))
        out[t] = np.mean([i not in others for i in ids]) if len(ids) else 0.0
    return out


def labels_from(vocabulary: list[str], components: np.ndarray, n_words: int = 3) -> list[str]:
    """A label per topic: its top FREX terms, a word that is part of an earlier phrase skipped."""
    scores = frex(components)
    labels = []
    for row in top_terms(scores, 30):
        words: list[str] = []
        for i in row:
            term = vocabulary[i]
            if any(term in w.split() or w in term.split() for w in words):
                continue
            words.append(term)
            if len(words) == n_words:
                break
        labels.append(" / ".join(words))
    return labels


def long_table(shares: np.ndarray, ids, topic_ids, floor: float) -> pd.DataFrame:
    """The rows ``(article_id, topic, share)`` with a share at or above ``floor``, largest first."""
    rows, cols = np.nonzero(shares >= floor)
    table = pd.DataFrame(
        {
            "article_id": np.asarray(ids, dtype=object)[rows],
            "topic": np.asarray(topic_ids)[cols],
            "share": shares[rows, cols],
        }
    )
    order = np.lexsort((-table["share"].to_numpy(), rows))
    return table.iloc[order].reset_index(drop=True)
