"""Unigram counts of an Arrow text column, in Arrow's compiled kernels."""

from __future__ import annotations

from collections import Counter

import numpy as np

from analysis.measures.tokenids import _offsets, _Resolver

#: Text bytes per batch of the Arrow counter: the smallest and the largest batch
#: (which bounds its working memory), and the number of batches aimed at between.
BATCH_BYTES = 4_000_000
MAX_BATCH_BYTES = 32_000_000
BATCHES = 16


def _batches(arr, n: int) -> list:
    """
    Slices of ``arr`` (an Arrow string array or chunked array, never copied), at
    least ``n``, of :data:`BATCH_BYTES` to :data:`MAX_BATCH_BYTES` of text each:
    about :data:`BATCHES` of them in between, so that a large input is cut into
    few batches (each batch looks its chunks up among all those seen before).
    """
    import pyarrow as pa

    chunks = [c for c in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]) if len(c)]
    spans = [_offsets(c) for c in chunks]
    sizes = [int(o[-1] - o[0]) for o in spans]
    total = sum(sizes)
    step = min(max(BATCH_BYTES, total // BATCHES), MAX_BATCH_BYTES)
    out = []
    for chunk, offsets, size in zip(chunks, spans, sizes):
        k = max(-(-size // step), -(-n * size // max(total, 1)), 1)
        cuts = np.searchsorted(offsets, offsets[0] + size * np.arange(1, k) / k)
        edges = np.unique(np.concatenate([[0], np.clip(cuts, 0, len(chunk)), [len(chunk)]]))
        out.extend(chunk.slice(a, b - a) for a, b in zip(edges[:-1].tolist(), edges[1:].tolist()))
    return out


def _split_batch(batch):
    """Chunks of a batch as Arrow's kernels cut them: (chunks per row, distinct, indices)."""
    import pyarrow.compute as pc

    lists = pc.ascii_split_whitespace(pc.ascii_lower(batch))
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(pc.list_flatten(lists))
    return lengths.astype(np.int64), encoded.dictionary, encoded.indices.to_numpy()


#: Largest groups x tokens table counted densely per batch (bigger ones are summed sparsely).
DENSE_CELLS = 4_000_000


def _key_sums(keys: np.ndarray, weights: np.ndarray | None = None):
    """The distinct ``keys`` in order and the sum of ``weights`` (or the count) of each."""
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    if weights is None:
        return keys[starts], np.diff(np.r_[starts, len(keys)])
    return keys[starts], np.add.reduceat(weights[order], starts) if len(keys) else weights


def _spread_multi(parts: tuple, multi: dict, width: int) -> tuple:
    """(row, id, n) entries with each chunk of several tokens replaced by its tokens."""
    rows, ids, n = parts
    hit = np.isin(ids, np.fromiter(multi, np.int64, len(multi)))
    spread = [
        (r, t, c)
        for r, i, c in zip(rows[hit].tolist(), ids[hit].tolist(), n[hit].tolist())
        for t in multi[i]
    ]
    more = np.asarray(spread, dtype=np.int64).reshape(-1, 3)
    plain = (rows[~hit], ids[~hit], n[~hit])
    return _merge([plain, (more[:, 0], more[:, 1], more[:, 2])], width)


def _group_sums(groups: np.ndarray | None, ids: np.ndarray, n_groups: int, width: int):
    """(group, id, n) of every nonzero tally of the (group, id) pairs (no groups: one)."""
    if groups is None:
        cells = np.bincount(ids, minlength=width)
        i = np.flatnonzero(cells)
        return np.zeros(len(i), dtype=np.int64), i, cells[i]
    if n_groups * width <= DENSE_CELLS:
        cells = np.bincount(groups * width + ids, minlength=n_groups * width)
        flat = np.flatnonzero(cells)
        g, i = np.divmod(flat, width)
        return g, i, cells[flat]
    keys, n = _key_sums(groups * width + ids)
    g, i = np.divmod(keys, width)
    return g, i, n


def _tally_batch(
    lengths, indices, keys, codes, n_groups: int, width: int, doc_freq: bool, multi: dict
):
    """
    Per group (counts, doc freqs) of each key id over one batch, each as (group, id, n).

    Document frequencies come from the sorted (article, id) pairs: consecutive
    equal pairs are one article holding one id.
    """
    ids = keys[indices]
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    one = n_groups == 1
    counts = _group_sums(None if one else codes[rows], ids, n_groups, width)
    if not doc_freq:
        return counts, None
    pairs = rows * width
    pairs += ids
    del rows, ids
    pairs.sort()
    keep = np.empty(len(pairs), dtype=bool)
    keep[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=keep[1:])
    pairs = pairs[keep]
    held_row, held_id = np.divmod(pairs, width)
    if multi:
        # an article holding a chunk of several tokens ("russia/ukraine") also holds
        # each of them: add each one it does not hold otherwise
        is_multi = np.zeros(width, dtype=bool)
        is_multi[[k for k in multi if k < width]] = True
        hit = is_multi[held_id]
        if hit.any():
            extra_rows, extra_ids = [], []
            bounds = np.searchsorted(held_row, np.arange(len(lengths) + 1))
            for r in np.unique(held_row[hit]).tolist():
                mine = held_id[bounds[r] : bounds[r + 1]].tolist()
                spread = {t for i in mine if i in multi for t in multi[i]} - set(mine)
                extra_rows.extend([r] * len(spread))
                extra_ids.extend(spread)
            keep = ~hit
            held_row = np.concatenate([held_row[keep], np.asarray(extra_rows, dtype=np.int64)])
            held_id = np.concatenate([held_id[keep], np.asarray(extra_ids, dtype=np.int64)])
    return counts, _group_sums(None if one else codes[held_row], held_id, n_groups, width)


def _merge(parts: list, width: int):
    """One (group, id, n) part summing ``parts``, sorted by group then id."""
    g = np.concatenate([p[0] for p in parts] or [np.zeros(0, np.int64)])
    i = np.concatenate([p[1] for p in parts] or [np.zeros(0, np.int64)])
    n = np.concatenate([p[2] for p in parts] or [np.zeros(0, np.int64)])
    if not len(g):
        return g, i, n
    keys, n = _key_sums(g * width + i, n)
    g, i = np.divmod(keys, width)
    return g, i, n


def _counters(parts: list, resolve: _Resolver, n_groups: int) -> list[Counter]:
    """Sum per-batch (group, id, n) parts into one Counter of tokens per group."""
    width = max(len(resolve.tokens), 1)
    g, i, n = _merge(parts, width)
    if resolve.multi:  # a chunk of several tokens counts for each of them
        g, i, n = _spread_multi((g, i, n), resolve.multi, width)
    bounds = np.searchsorted(g, np.arange(n_groups + 1))
    tokens = resolve.tokens
    out = []
    for r in range(n_groups):
        cols, vals = i[bounds[r] : bounds[r + 1]], n[bounds[r] : bounds[r + 1]]
        nz = cols != 0
        out.append(Counter(dict(zip([tokens[c] for c in cols[nz].tolist()], vals[nz].tolist()))))
    return out


#: Per-batch tallies kept before they are summed into one (bounds memory).
MERGE_AT = 16


def count_arrow(arr, codes: np.ndarray, n_groups: int, doc_freq: bool, workers: int = 1):
    """
    :func:`count_part` of an Arrow string array, in compiled kernels.

    Arrow lowercases (ASCII, as ``bytes.lower``) and cuts each batch at ASCII
    whitespace (as ``bytes.split``) and numbers its distinct chunks; only distinct
    chunks reach Python, to be resolved to tokens as :class:`_Resolver` does. Counts
    are ``bincount`` sums; document frequencies come from sorted (article, id)
    pairs. With ``workers`` > 1, batches are cut and tallied on that many threads
    (the kernels release the GIL) while this thread resolves chunks, batch after
    batch in order, so tokens are numbered in order of first sight either way.
    """
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    codes = np.asarray(codes, dtype=np.int64)
    resolve = _Resolver()
    batches = _batches(arr, workers if workers > 1 else 1)
    starts = np.cumsum([0] + [len(b) for b in batches])
    tallies: list = []
    n_docs = np.bincount(codes, minlength=n_groups)[:n_groups].tolist()

    def tally(k, lengths, indices, keys, width, multi):
        part = codes[starts[k] : starts[k + 1]]
        return _tally_batch(lengths, indices, keys, part, n_groups, width, doc_freq, multi)

    def keep(done: list) -> None:
        tallies.extend(done)
        if len(tallies) >= MERGE_AT:
            width = len(resolve.tokens)
            counts = _merge([c for c, _ in tallies], width)
            docs = _merge([d for _, d in tallies], width) if doc_freq else None
            tallies[:] = [(counts, docs)]

    if workers <= 1:  # everything in this thread
        for k, batch in enumerate(batches):
            lengths, distinct, indices = _split_batch(batch)
            keys = resolve.keys_for(distinct)
            keep([tally(k, lengths, indices, keys, len(resolve.tokens), resolve.multi)])
    else:
        with ThreadPoolExecutor(workers) as pool:
            # at most a few batches cut ahead of the one being resolved
            ahead = deque(pool.submit(_split_batch, b) for b in batches[: 2 * workers])
            waiting: deque = deque()
            for k in range(len(batches)):
                lengths, distinct, indices = ahead.popleft().result()
                if k + len(ahead) + 1 < len(batches):
                    ahead.append(pool.submit(_split_batch, batches[k + len(ahead) + 1]))
                keys = resolve.keys_for(distinct)
                width, multi = len(resolve.tokens), dict(resolve.multi)
                waiting.append(pool.submit(tally, k, lengths, indices, keys, width, multi))
                while waiting and (waiting[0].done() or len(waiting) > 2 * workers):
                    keep([waiting.popleft().result()])
            keep([f.result() for f in waiting])
    counts = _counters([c for c, _ in tallies], resolve, n_groups)
    dfs = (
        _counters([d for _, d in tallies], resolve, n_groups)
        if doc_freq
        else [Counter() for _ in range(n_groups)]
    )
    n_words = [sum(c.values()) for c in counts]
    return counts, dfs, n_docs, n_words


def per_article_arrays(arr):
    """
    Token counts of each text of an Arrow string array, with Arrow's kernels.

    Returns ``(tokens, rows, ids, counts)``: entry ``k`` says that text ``rows[k]``
    holds token ``tokens[ids[k]]`` ``counts[k]`` times; entries are sorted by text,
    then token id, and texts without tokens have none.
    """
    resolve = _Resolver()
    parts = []
    start = 0
    for batch in _batches(arr, 1):
        lengths, distinct, indices = _split_batch(batch)
        keys = resolve.keys_for(distinct)
        width = max(len(resolve.tokens), 1)
        pairs = np.repeat(np.arange(len(lengths), dtype=np.int64) + start, lengths) * width
        pairs += keys[indices]
        pairs, n = _key_sums(pairs)
        rows, ids = np.divmod(pairs, width)
        parts.append((rows, ids, n))
        start += len(batch)
    rows, ids, n = (
        np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, np.int64) for k in range(3)
    )
    if resolve.multi:  # a chunk of several tokens counts for each of them
        width = max(len(resolve.tokens), 1)
        rows, ids, n = _spread_multi((rows, ids, n), resolve.multi, width)
    keep = ids != 0
    return resolve.tokens, rows[keep], ids[keep], n[keep]
