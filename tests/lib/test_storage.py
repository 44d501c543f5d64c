"""The object store, the same promises from both backends: the media folder and an S3-compatible
store (moto's server over real HTTP). What goes in comes out byte for byte, a missing key is
FileNotFoundError, keys not made by the server are refused, listing finds what is there."""

from __future__ import annotations

import hashlib
import os

import pytest

from server.lib.storage import LocalStore, S3Store, cached_file, open_store

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


SHA = hashlib.sha256(b"photo").hexdigest()
KEY = f"photos/originals/{SHA[:2]}/{SHA[2:4]}/{SHA}.jpg"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "media")
    server = request.getfixturevalue("s3_server")
    return S3Store(server.client(), server.new_bucket(), "city/yuncheng")


def test_what_is_put_is_got_back_byte_for_byte(store):
    data = os.urandom(300_000)
    assert not store.exists(KEY)
    store.put(KEY, data)
    assert store.exists(KEY) and store.get(KEY) == data


def test_a_missing_key_is_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.get(KEY)
    store.delete(KEY)  # nothing to delete: no error


def test_replace_false_keeps_what_is_there_and_replace_overwrites(store):
    store.put(KEY, b"first")
    store.put(KEY, b"second", replace=False)
    assert store.get(KEY) == b"first"
    store.put(KEY, b"third")
    assert store.get(KEY) == b"third"


def test_listing_finds_keys_under_a_folder_with_size_and_time(store):
    store.put(KEY, b"x" * 10)
    store.put("ledgers/4f1c9a8e-0000-4000-8000-000000000001.pdf", b"%PDF" * 5)
    photos = list(store.entries("photos/"))
    assert [(e.key, e.size) for e in photos] == [(KEY, 10)]
    assert photos[0].modified > 0 and str(photos[0].where).endswith(KEY)
    assert [e.key for e in store.entries("ledgers/")] == ["ledgers/4f1c9a8e-0000-4000-8000-000000000001.pdf"]
    store.delete(KEY)
    assert list(store.entries("photos/")) == [] and not store.exists(KEY)


@pytest.mark.parametrize("key", ["../etc/passwd", "photos/../../etc/passwd", "/photos/a.jpg", "photos//a.jpg", "", "photos/./a.jpg",
                                 "photos/a b.jpg"])
def test_keys_not_made_by_the_server_are_refused(store, key):
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.exists(key)):
        with pytest.raises(ValueError):
            call()


def test_a_file_for_tools_that_read_files_is_the_object_or_a_cached_copy(store, tmp_path):
    cache = tmp_path / "cache"
    assert cached_file(store, KEY, cache) is None
    store.put(KEY, b"thumb")
    path = cached_file(store, KEY, cache)
    assert path is not None and path.read_bytes() == b"thumb"
    assert (path == cache / KEY) == isinstance(store, S3Store)  # a local store needs no copy


def test_the_setting_names_the_store():
    from pathlib import Path

    assert isinstance(open_store("", Path("/tmp/m")), LocalStore)
    s3 = open_store("s3://ducha-photos/yuncheng/", Path("/tmp/m"), endpoint="http://127.0.0.1:9", region="cn-north-1")
    assert isinstance(s3, S3Store) and s3.bucket == "ducha-photos" and s3.prefix == "yuncheng/"
    for bad in ("ducha-photos", "s3://", "s3://UPPER/x", "file:///etc"):
        with pytest.raises(ValueError, match="DUCHA_STORAGE"):
            open_store(bad, Path("/tmp/m"))
