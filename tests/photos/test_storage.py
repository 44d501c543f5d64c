"""The content-addressed photo store: layout, atomic and idempotent writes, no foreign paths."""

import hashlib
import os
import threading

import pytest

from server.photos.storage import (
    PhotoStorage,
    PhotoStore,
    check_key,
    display_key,
    original_key,
    thumb_key,
    watermarked_key,
)

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


SHA = hashlib.sha256(b"photo").hexdigest()


def test_keys_follow_the_content_addressed_layout():
    ab, cd = SHA[:2], SHA[2:4]
    assert original_key(SHA, "heic") == f"originals/{ab}/{cd}/{SHA}.heic"
    assert display_key(SHA) == f"display/{ab}/{cd}/{SHA}.jpg"
    assert thumb_key(SHA) == f"thumbs/{ab}/{cd}/{SHA}.jpg"
    assert watermarked_key(SHA) == f"watermarked/{ab}/{cd}/{SHA}.jpg"


def test_put_then_get_under_the_media_root(tmp_path):
    store = PhotoStore(tmp_path)
    key = original_key(SHA, "jpg")
    assert not store.exists(key)
    store.put(key, b"photo")
    assert store.exists(key) and store.get(key) == b"photo"
    assert store.path(key) == tmp_path / "originals" / SHA[:2] / SHA[2:4] / f"{SHA}.jpg"
    assert isinstance(store, PhotoStorage)


def test_a_key_already_stored_is_kept_as_it_is(tmp_path):
    store = PhotoStore(tmp_path)
    key = display_key(SHA)
    store.put(key, b"first")
    before = store.path(key).stat().st_mtime_ns
    store.put(key, b"second")  # a key names its content: the same key is the same bytes
    assert store.get(key) == b"first" and store.path(key).stat().st_mtime_ns == before


def test_no_temporary_files_are_left_behind(tmp_path):
    store = PhotoStore(tmp_path)
    store.put(thumb_key(SHA), b"x" * 100_000)
    assert [p.name for p in store.path(thumb_key(SHA)).parent.iterdir()] == [f"{SHA}.jpg"]


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    store = PhotoStore(tmp_path)

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.put(display_key(SHA), b"x")
    monkeypatch.undo()
    assert not store.exists(display_key(SHA))
    assert list(store.path(display_key(SHA)).parent.iterdir()) == []


def test_concurrent_puts_of_the_same_key_all_succeed(tmp_path):
    store = PhotoStore(tmp_path)
    data = os.urandom(200_000)
    errors: list[BaseException] = []

    def put():
        try:
            store.put(original_key(SHA, "jpg"), data)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and store.get(original_key(SHA, "jpg")) == data


def test_reading_a_missing_key_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        PhotoStore(tmp_path).get(display_key(SHA))


@pytest.mark.parametrize("key", [
    "../../etc/passwd", f"originals/{SHA[:2]}/{SHA[2:4]}/../{SHA}.jpg", f"/originals/{SHA[:2]}/{SHA[2:4]}/{SHA}.jpg",
    f"originals/00/00/{SHA}.jpg", f"secrets/{SHA[:2]}/{SHA[2:4]}/{SHA}.jpg", f"display/{SHA[:2]}/{SHA[2:4]}/{SHA}.exe",
    f"display/{SHA[:2]}/{SHA[2:4]}/{SHA.upper()}.jpg", "",
])
def test_keys_not_made_by_the_server_are_refused(tmp_path, key):
    store = PhotoStore(tmp_path)
    with pytest.raises(ValueError):
        check_key(key)
    with pytest.raises(ValueError):
        store.put(key, b"x")
    with pytest.raises(ValueError):
        store.get(key)
    assert list(tmp_path.iterdir()) == []
