"""MinHash signatures of word shingles, and the candidate pairs of banded LSH."""

from __future__ import annotations

import zlib

import numpy as np

_FNV_PRIME = np.uint32(0x01000193)


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3 finalizer: the pre-mix datasketch applies in its affine32 scheme.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


class Shingler:
    """Turn word lists into arrays of distinct 32-bit shingle hashes (deterministic)."""

    def __init__(self, size: int):
        self.size = size
        self._ids: dict[str, int] = {}

    def __call__(self, words: list[str]) -> np.ndarray:
        return np.unique(self.positional(words))

    def with_lead(self, words: list[str], lead_words: int) -> tuple[np.ndarray, np.ndarray]:
        """The distinct shingles of ``words``, and those of its first ``lead_words`` words."""
        h = self.positional(words)
        return np.unique(h), np.unique(h[: max(1, lead_words - self.size + 1)])

    def positional(self, words: list[str]) -> np.ndarray:
        """The hash of the shingle starting at each word, in text order."""
        hashes = list(map(self._ids.get, words))  # known words at C speed
        if None in hashes:
            for i, h in enumerate(hashes):
                if h is None:
                    word = words[i]
                    hashes[i] = self._ids[word] = zlib.crc32(word.encode("utf-8", "surrogatepass"))
        ids = np.array(hashes, dtype=np.uint32)
        k = min(self.size, len(ids))
        n = len(ids) - k + 1
        if n <= 0:
            return np.empty(0, dtype=np.uint32)
        h = ids[:n].copy()
        with np.errstate(over="ignore"):
            for i in range(1, k):
                h = (h * _FNV_PRIME) ^ ids[i : i + n]
        return h


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from importlib.metadata import version

    from analysis.text.nlp import cached_arrays

    def build() -> dict:
        from datasketch import MinHash  # its import takes about half a second

        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        return {"a": a.astype(np.uint32), "b": b.astype(np.uint32)}

    name = f"minhash-affine32-{num_perm}-{seed}-datasketch-{version('datasketch')}"
    perm = cached_arrays(name, build)
    return perm["a"], perm["b"]


def minhash_signatures(
    shingle_sets: list[np.ndarray], *, num_perm: int = 128, seed: int = 1, chunk: int = 65536
) -> np.ndarray:
    """
    Compute MinHash signatures for many sets of 32-bit hashes at once.

    The values equal those of ``datasketch.MinHash(num_perm, seed, scheme="affine32")``
    updated with the same hashes, but the work is done in large numpy blocks
    rather than one set at a time.

    Parameters
    ----------
    shingle_sets : list of ndarray of uint32
        One non-empty array of hashes per set.
    num_perm : int, default 128
        Signature length.
    seed : int, default 1
        Seed of the permutations (datasketch's convention).
    chunk : int, default 65536
        Hashes processed per block (memory: ``chunk * num_perm * 4`` bytes).

    Returns
    -------
    ndarray of uint32, shape (len(shingle_sets), num_perm)

    Examples
    --------
    >>> sig = minhash_signatures([np.array([1, 2, 3], dtype=np.uint32)], num_perm=16)
    >>> sig.shape
    (1, 16)
    """
    a, b = _permutations(num_perm, seed)
    out = np.empty((len(shingle_sets), num_perm), dtype=np.uint32)
    start = 0
    while start < len(shingle_sets):
        stop, total = start, 0
        while stop < len(shingle_sets) and (
            stop == start or total + len(shingle_sets[stop]) <= chunk
        ):
            total += len(shingle_sets[stop])
            stop += 1
        block = shingle_sets[start:stop]
        sizes = np.fromiter((len(s) for s in block), dtype=np.int64, count=len(block))
        if (sizes == 0).any():
            raise ValueError("minhash_signatures needs non-empty sets")
        hv = _fmix32(np.concatenate(block))
        with np.errstate(over="ignore"):
            phv = hv[:, None] * a[None, :] + b[None, :]
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        out[start:stop] = np.minimum.reduceat(phv, offsets, axis=0)
        start = stop
    return out


#: Buckets holding more sketches than this are linked as a chain (each member
#: with the next) instead of all pairs, so that a flood of near-identical
#: template texts cannot make the work quadratic.
MAX_BUCKET_PAIRS = 64


def _band_layout(lsh_threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (bands, rows) for a threshold, kept in the project data folder."""
    from importlib.metadata import version

    from analysis.text.nlp import cached_arrays

    def build() -> dict:
        from datasketch import MinHashLSH  # its import (scipy.integrate) takes ~0.4 s

        index = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
        return {"layout": np.array([index.b, index.r], dtype=np.int64)}

    name = f"lsh-layout-{lsh_threshold!r}-{num_perm}-datasketch-{version('datasketch')}"
    bands, rows = cached_arrays(name, build)["layout"].tolist()
    return bands, rows


def _candidate_pairs(sig: np.ndarray, lsh_threshold: float, num_perm: int) -> np.ndarray:
    """
    Return the candidate pairs ``(i, j)``, ``i < j``, of banded MinHash LSH.

    The band layout (bands x rows) is datasketch's optimum for ``lsh_threshold``
    (``MinHashLSH.b``, ``MinHashLSH.r``); the buckets are found by sorting each
    band's hashes with numpy instead of one dictionary insert per sketch and band.
    """
    bands, rows = _band_layout(lsh_threshold, num_perm)
    n = len(sig)
    found = [np.empty((0, 2), dtype=np.int64)]
    for band in range(bands):
        block = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for c in range(rows):
                key = key * np.uint64(0x100000001B3) + block[:, c]
        order = np.argsort(key, kind="stable")
        ks = key[order]
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        sizes = np.diff(np.r_[starts, n])
        # all pairs of each bucket, one block per bucket size
        for size in np.unique(sizes[(sizes >= 2) & (sizes <= MAX_BUCKET_PAIRS)]).tolist():
            members = order[starts[sizes == size][:, None] + np.arange(size)]
            i, j = np.triu_indices(size, k=1)
            found.append(np.stack([members[:, i].ravel(), members[:, j].ravel()], axis=1))
        for start, size in zip(starts[sizes > MAX_BUCKET_PAIRS], sizes[sizes > MAX_BUCKET_PAIRS]):
            members = order[start : start + size]
            found.append(np.stack([members[:-1], members[1:]], axis=1))
    pairs = np.sort(np.concatenate(found).astype(np.int64), axis=1)
    codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack([codes // n, codes % n], axis=1)
