"""Cache files: damaged, of another version or in a folder that cannot be written, they cost no number."""

from __future__ import annotations

import contextlib
import errno
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from analysis.corpus import cachefile
from analysis.corpus.cachefile import VERSION_META, CacheFile
from analysis.measures.sentiment import CACHE_VERSION, sentence_sentiment
from analysis.measures.terms import term_counts
from analysis.measures.tone import INTERVALS_FILE, tone_by


@pytest.fixture(autouse=True)
def new_process():
    """Each test starts as a new process would: nothing held, nobody warned."""
    cachefile.forget()
    yield
    cachefile.forget()


def _named(caplog, name: str) -> list[str]:
    """The warnings that name the file ``name``."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelname == "WARNING" and name in r.getMessage()
    ]


def _damage(path, how: str, *, version: str = "1") -> None:
    if how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00garbage\xff" * 40)
    else:  # the same table, marked as written for another version of the cache
        store = CacheFile(path.parent, path.name, version=version)
        table = store.read()
        assert table is not None
        assert CacheFile(path.parent, path.name, version="0").write(table)


def _mark(path) -> bytes:
    """The version a cache file is marked with."""
    schema = feather.read_table(path).schema if path.suffix == ".arrow" else pq.read_schema(path)
    return schema.metadata[VERSION_META]


@contextlib.contextmanager
def _unwritable(folder, monkeypatch):
    """
    Make ``folder`` refuse new files: by its mode, or (for root, whom modes do not
    stop) by failing every rename into it the way a read-only file system does.
    """
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    replace = os.replace

    def read_only(src, dst, *args, **kwargs):
        if os.path.dirname(os.path.abspath(dst)) == str(folder):
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return replace(src, dst, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", read_only)
        yield


# -- the measures that keep a cache ----------------------------------------------


def _scores() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame(
        {
            "outlet": rng.choice(["A", "B", "C"], 120),
            "article_id": [f"a{k // 3}" for k in range(120)],
            "compound": rng.uniform(-1, 1, 120).round(3),
        }
    )


#: Each measure that keeps a cache file: how to run it with a cache folder, and its file.
MEASURES = {
    "sentence tone": (
        lambda arts, folder: sentence_sentiment(arts, cache_dir=folder, english_only=False),
        "sentiment_vader.arrow",
        CACHE_VERSION,
    ),
    "tone intervals": (
        lambda arts, folder: tone_by(_scores(), by="outlet", n_boot=200, cache_dir=folder),
        INTERVALS_FILE,
        "1",
    ),
    "term counts": (
        lambda arts, folder: term_counts(arts, by="outlet", cache_dir=folder),
        "term_counts_cache.arrow",
        "1",
    ),
}


@pytest.mark.parametrize("how", ["truncated", "garbage", "another version"])
@pytest.mark.parametrize("measure", list(MEASURES))
def test_a_damaged_cache_gives_the_same_numbers_one_warning_and_is_rebuilt(
    measure, how, tiny_articles, tmp_path, caplog
):
    compute, name, version = MEASURES[measure]
    want = compute(tiny_articles, None)
    compute(tiny_articles, tmp_path)
    _damage(tmp_path / name, how, version=version)
    cachefile.forget()  # as a new process
    with caplog.at_level("INFO", logger="analysis"):
        got = compute(tiny_articles, tmp_path)
        again = compute(tiny_articles, tmp_path)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(again, want)
    assert len(_named(caplog, name)) == 1, [r.getMessage() for r in caplog.records]
    # rebuilt: whole, of this version, read by a new process without a word
    assert _mark(tmp_path / name) == version.encode()
    cachefile.forget()
    caplog.clear()
    with caplog.at_level("WARNING", logger="analysis"):
        pd.testing.assert_frame_equal(compute(tiny_articles, tmp_path), want)
    assert not caplog.records


@pytest.mark.parametrize("damaged", [False, True], ids=["no file", "a damaged file"])
@pytest.mark.parametrize("measure", list(MEASURES))
def test_a_read_only_folder_means_no_cache_one_warning_and_a_cache_once_writable(
    measure, damaged, tiny_articles, tmp_path, monkeypatch, caplog
):
    compute, name, _ = MEASURES[measure]
    want = compute(tiny_articles, None)
    folder = tmp_path / "corpus"
    folder.mkdir()
    if damaged:
        (folder / name).write_bytes(b"\x00garbage\xff" * 40)
    before = sorted(folder.iterdir())
    with _unwritable(folder, monkeypatch), caplog.at_level("INFO", logger="analysis"):
        got = compute(tiny_articles, folder)
        again = compute(tiny_articles, folder)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(again, want)
    assert len(_named(caplog, name)) == 1, [r.getMessage() for r in caplog.records]
    assert sorted(folder.iterdir()) == before  # no cache and no temporary file
    # writable again: the next run writes the cache (naming a damaged file once more),
    # and the run after it reads the cache without a word
    for run in ("rebuilds", "reads"):
        cachefile.forget()  # a later run (term counts are held in memory for the rest of one)
        caplog.clear()
        with caplog.at_level("WARNING", logger="analysis"):
            pd.testing.assert_frame_equal(compute(tiny_articles, folder), want)
        assert len(caplog.records) == (damaged and run == "rebuilds"), run
    assert _mark(folder / name)


# -- CacheFile itself ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rows.arrow", "rows.parquet"])
@pytest.mark.parametrize("n", [0, 2, 150_000])
def test_a_table_written_is_read_back_with_its_version(name, n, tmp_path):
    rows = pd.DataFrame({"id": [f"a{k % 7}" for k in range(n)], "n": np.arange(n)})
    store = CacheFile(tmp_path, name, version="3", columns=["id", "n"])
    assert store.read() is None  # missing
    assert store.write(rows)
    table = store.read()
    pd.testing.assert_frame_equal(table.to_pandas(), rows)
    assert table.schema.metadata[VERSION_META] == b"3"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_the_checksum_adds_bytes_not_a_copy_of_the_data(tmp_path):
    # the closing batch has no rows: it must not carry the string data of the last batch
    table = pa.table({"text": [f"sentence number {k} of the cache" for k in range(70_000)]})
    feather.write_feather(table, tmp_path / "plain.arrow", compression="lz4")
    assert CacheFile(tmp_path, "checked.arrow").write(table)
    extra = (tmp_path / "checked.arrow").stat().st_size - (tmp_path / "plain.arrow").stat().st_size
    assert 0 < extra < 2_000


def test_dictionary_columns_are_kept(tmp_path):
    # one dictionary per column in an Arrow file: the checksum batch must not bring another
    table = pa.table({"k": pa.array(["x", "y", "x"] * 40_000).dictionary_encode()})
    store = CacheFile(tmp_path, "keys.arrow")
    assert store.write(table)
    assert store.read().column("k").to_pylist() == table.column("k").to_pylist()


def test_no_folder_means_no_cache(tmp_path):
    for folder in (None, False, ""):
        store = CacheFile(folder, "rows.arrow")
        assert store.path is None
        assert store.read() is None and store.load(len) is None
        assert not store.write(pa.table({"id": ["a"]}))


@pytest.mark.parametrize("name", ["rows.csv", "sub/rows.arrow", "rows"])
def test_a_cache_file_is_an_arrow_or_parquet_file_name(name, tmp_path):
    with pytest.raises(ValueError, match="cache file"):
        CacheFile(tmp_path, name)


@pytest.mark.parametrize("how", ["truncated", "garbage", "another version", "no column"])
def test_an_unusable_file_is_named_once_per_process_until_written_whole(how, tmp_path, caplog):
    store = CacheFile(tmp_path, "rows.arrow", columns=["id"])
    table = pa.table({"id": [f"a{k}" for k in range(500)]})
    assert store.write(table)
    if how == "no column":
        CacheFile(tmp_path, "rows.arrow").write(pa.table({"other": [1]}))
    else:
        _damage(store.path, how)
    with caplog.at_level("INFO", logger="analysis"):
        assert [store.read(), store.read(), store.read()] == [None, None, None]
    assert len(_named(caplog, "rows.arrow")) == 1
    assert len([r for r in caplog.records if "rows.arrow" in r.getMessage()]) == 3  # the rest: info
    assert store.write(table)
    assert store.read().column("id").to_pylist() == table.column("id").to_pylist()
    _damage(store.path, "garbage")  # damaged again after it was whole: named again
    caplog.clear()
    with caplog.at_level("WARNING", logger="analysis"):
        assert store.read() is None
    assert len(_named(caplog, "rows.arrow")) == 1


@pytest.mark.parametrize("name", ["rows.arrow", "rows.parquet"])
def test_bytes_changed_inside_a_file_fail_its_checksum(name, tmp_path, caplog):
    rng = np.random.default_rng(0)
    table = pa.table({"id": [f"article {k}" for k in range(20_000)], "x": rng.normal(size=20_000)})
    store = CacheFile(tmp_path, name)
    assert store.write(table)
    data = bytearray(store.path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4] = bytes(b ^ 0x5A for b in data[middle : middle + 4])
    store.path.write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="analysis"):
        assert store.read() is None
    assert len(_named(caplog, name)) == 1
    if name.endswith(".arrow"):  # LZ4 blocks often decompress a changed byte without a word
        assert "checksum" in _named(caplog, name)[0]


def test_versions_before_the_mark_are_read_as_the_first(tmp_path, caplog):
    # a file without the mark: version 1; the old sentence cache's version column is dropped
    feather.write_feather(pa.table({"id": ["a"]}), tmp_path / "plain.arrow")
    feather.write_feather(
        pa.table({"id": ["a", "b"], "cache_version": ["1", "1"]}), tmp_path / "column.arrow"
    )
    feather.write_feather(
        pa.table({"id": ["a", "b"], "cache_version": ["0", "0"]}), tmp_path / "older.arrow"
    )
    assert CacheFile(tmp_path, "plain.arrow").read().column_names == ["id"]
    assert CacheFile(tmp_path, "column.arrow").read().column_names == ["id"]
    with caplog.at_level("WARNING", logger="analysis"):
        assert CacheFile(tmp_path, "plain.arrow", version="2").read() is None
        assert CacheFile(tmp_path, "older.arrow").read() is None
    assert len(_named(caplog, "plain.arrow")) == 1 and len(_named(caplog, "older.arrow")) == 1
    assert "'0'" in _named(caplog, "older.arrow")[0]


def test_a_folder_that_is_a_file_means_no_cache_and_one_warning(tmp_path, caplog):
    not_a_folder = tmp_path / "corpus"
    not_a_folder.write_text("a file where the corpus folder should be")
    store = CacheFile(not_a_folder, "rows.arrow")
    with caplog.at_level("INFO", logger="analysis"):
        assert store.read() is None  # missing, not damaged: no warning
        assert not store.write(pa.table({"id": ["a"]}))
        assert not store.write(pa.table({"id": ["a"]}))
        assert store.read() is None
    assert len(_named(caplog, "rows.arrow")) == 1
    assert "not written" in _named(caplog, "rows.arrow")[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path, monkeypatch, caplog):
    store = CacheFile(tmp_path, "rows.parquet")
    assert store.write(pa.table({"id": ["old"]}))

    def full_disk(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", full_disk)
    with caplog.at_level("WARNING", logger="analysis"):
        assert not store.write(pa.table({"id": ["new"]}))
    monkeypatch.undo()
    assert "No space left" in _named(caplog, "rows.parquet")[0]
    assert [p.name for p in tmp_path.iterdir()] == ["rows.parquet"]
    assert store.read().column("id").to_pylist() == ["old"]


def test_files_of_earlier_versions_go_once_the_cache_is_written(tmp_path):
    (tmp_path / "rows.parquet").write_bytes(b"the cache of an earlier version")
    store = CacheFile(tmp_path, "rows.arrow", replaces=["rows.parquet"])
    assert store.read() is None and (tmp_path / "rows.parquet").exists()
    store.write(pa.table({"id": ["a"]}))
    assert [p.name for p in tmp_path.iterdir()] == ["rows.arrow"]


def test_load_parses_a_file_once_while_it_is_unchanged(tmp_path, caplog):
    parsed = []

    def ids(table):
        parsed.append(table.num_rows)
        return table.column("id").to_pylist()

    store = CacheFile(tmp_path, "rows.arrow")
    assert store.load(ids) is None and parsed == []
    store.write(pa.table({"id": ["a"]}))
    assert store.load(ids) == ["a"] and store.load(ids) == ["a"]
    assert parsed == [1]
    CacheFile(tmp_path, "rows.arrow").write(pa.table({"id": ["a", "b"]}))  # changed
    assert store.load(ids) == ["a", "b"] and parsed == [1, 2]
    # what write keeps is what load gives, without reading the file again
    assert store.write(pa.table({"id": ["c"]}), keep=["kept"])
    assert store.load(ids) == ["kept"] and parsed == [1, 2]


def test_load_keeps_what_could_not_be_written_and_names_a_bad_table_once(tmp_path, caplog):
    store = CacheFile(tmp_path / "missing", "rows.arrow")
    assert not store.write(pa.table({"id": ["a"]}), keep=["a"])
    assert store.load(lambda t: pytest.fail("read")) == ["a"]  # held for the process

    def refuse(table):
        raise KeyError("no such key")

    bad = CacheFile(tmp_path, "bad.arrow")
    bad.write(pa.table({"id": ["a"]}))
    with caplog.at_level("WARNING", logger="analysis"):
        assert bad.load(refuse) is None and bad.load(refuse) is None
    assert len(_named(caplog, "bad.arrow")) == 1


def test_intervals_of_one_score_come_back_from_the_cache_as_nan(tmp_path):
    # fewer than two units: no interval, NaN, which the Parquet file stores as a null
    one_each = pd.DataFrame({"outlet": ["A", "B"], "compound": [0.5, -0.2]})
    plain = tone_by(one_each, n_boot=50)
    assert plain["ci_low"].isna().all()
    tone_by(one_each, n_boot=50, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(tone_by(one_each, n_boot=50, cache_dir=tmp_path), plain)
