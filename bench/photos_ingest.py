"""Photos ingested per second on one core: our pipeline beside the naive one, in the same run.

Naive: full decode, no draft mode, thumbnail from the full image. Ours: JPEG draft
decoding at the display scale, thumbnail from the display copy (server.photos.ingest).
Targets: a 1600 px photo <= 60 ms, a 12 MP photo <= 400 ms.

    python -m bench.photos_ingest
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

from PIL import Image, ImageOps

from server.photos.ingest import ingest

FIXTURES = Path(os.environ.get("DUCHA_FIXTURES") or Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "photos")
ROUNDS = 5


def naive(data: bytes) -> None:
    hashlib.sha256(data).hexdigest()
    im = Image.open(io.BytesIO(data))
    im.load()
    im = ImageOps.exif_transpose(im).convert("RGB")
    for edge in (1600, 320):
        copy = im.copy()
        copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        copy.save(io.BytesIO(), "JPEG", quality=82)


def ours(data: bytes) -> None:
    ingest(data, declared_sha256=hashlib.sha256(data).hexdigest(), max_bytes=50 * 2**20, max_pixels=64_000_000)


def per_photo_ms(fn, photos: list[bytes]) -> float:
    fn(photos[0])  # warm up
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for data in photos:
            fn(data)
    return (time.perf_counter() - start) * 1000 / (ROUNDS * len(photos))


def compressed(data: bytes) -> bytes:
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    im.thumbnail((1600, 1600))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def main() -> None:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    except (AttributeError, OSError):
        pass
    big = [(FIXTURES / "phone" / n).read_bytes() for n in ("jolla.jpg", "iphone_hdr_NO.jpg")]
    small = [compressed(d) for d in big]
    print(f"photo ingest on one core, {ROUNDS} rounds, sha256 + decode + orient + 1600 px and 320 px JPEG copies")
    for label, photos, target in (("12 MP camera JPEG (3264x2448)", big, 400), ("1600 px phone-compressed JPEG", small, 60)):
        fast, slow = per_photo_ms(ours, photos), per_photo_ms(naive, photos)
        verdict = "meets" if fast <= target else "MISSES"
        print(f"  {label:<32} ours {fast:6.1f} ms ({1000 / fast:5.1f}/s)   naive {slow:6.1f} ms ({1000 / slow:5.1f}/s)   "
              f"{slow / fast:4.1f}x   target <= {target} ms: {verdict}")


if __name__ == "__main__":
    main()
