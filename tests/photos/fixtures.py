"""Where the real camera photos are: DUCHA_FIXTURES, else ../shared/fixtures/photos beside the repository."""

import os
from pathlib import Path

FIXTURES = Path(os.environ["DUCHA_FIXTURES"]) if os.environ.get("DUCHA_FIXTURES") else (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "photos"
)
