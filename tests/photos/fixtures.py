"""Where the real camera photos are: DUCHA_FIXTURES, else ../shared/fixtures/photos beside the repository."""

import os
from pathlib import Path

FIXTURES = Path(os.environ["DUCHA_FIXTURES"]) if os.environ.get("DUCHA_FIXTURES") else (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "photos"
)


def zip_bytes() -> bytes:
    """A ZIP archive, as someone might rename to .jpg."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.txt", "not a photo")
    return buf.getvalue()


def png_bomb() -> bytes:
    """A 20000x20000 PNG of a few kilobytes: 400 megapixels once decoded."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")
    return buf.getvalue()
