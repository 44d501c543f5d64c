"""Settings: one frozen object read from environment variables once.

Nothing else in the server reads ``os.environ``. Every field has a one-line docstring
(the comment above it); ``ducha --help`` and the README list them all, and a test
checks that the README names every one.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    #: Database URL: ``sqlite:///path/to/file.sqlite`` (default, under var/) or ``postgresql://user@host:port/db``.
    database_url: str = f"sqlite:///{ROOT / 'var' / 'ducha.sqlite'}"
    #: Folder for uploaded photos and generated files (with DUCHA_STORAGE set: only this node's caches and unfinished uploads).
    media_dir: Path = ROOT / "var" / "media"
    #: Where photos and ledger files are kept: empty for the media folder, or ``s3://bucket/prefix`` for an S3-compatible store (AWS S3, MinIO, Alibaba OSS, Huawei OBS); the bucket must exist and stays private.
    storage: str = ""
    #: S3 endpoint URL, e.g. ``https://oss-cn-beijing.aliyuncs.com`` or ``http://minio:9000``; empty: AWS.
    s3_endpoint: str = ""
    #: S3 region, e.g. ``cn-beijing``; empty: the SDK's default.
    s3_region: str = ""
    #: S3 access key id; empty: the SDK's usual places (AWS_ACCESS_KEY_ID, ~/.aws, an instance role).
    s3_access_key: str = ""
    #: S3 secret access key; empty: as for the key id.
    s3_secret_key: str = ""
    #: S3 addressing: ``auto``, ``path`` (bucket in the path, MinIO) or ``virtual`` (bucket in the host name, Alibaba OSS).
    s3_addressing: str = "auto"
    #: The address people reach the server at (links to photos in spreadsheets).
    public_url: str = "http://127.0.0.1:8000"
    #: Day of the next month by which a county's ledgers for a month are due (报送).
    ledger_due_day: int = 5
    #: Days before its (undisclosed) day that a planned visit reaches the inspector's phone.
    plan_release_days: int = 1
    #: The assessment's scoring table (YAML); empty: server/assessment/scoring.yaml.
    assessment_rules: str = ""
    #: SMTP server for e-mailing submitted ledgers to the city office; empty: no e-mail.
    smtp_host: str = ""
    #: SMTP port (plain SMTP with STARTTLS when the server offers it).
    smtp_port: int = 25
    #: Sender address of ledger e-mails.
    smtp_from: str = "ducha@localhost"
    #: Where submitted ledgers are e-mailed (the city office); empty: no e-mail.
    ledger_mail_to: str = ""
    #: Hour of the day (Shanghai) the escalation notices (催办 3 days past a deadline, 报市办 7 days) and the 报送 reminders are sent, in the app and by mail; -1: no daily work at all (notices, reminders, the audit anchor at 00:00, the media clean-up at 03:00; then `ducha notices send` from cron).
    notice_hour: int = 8
    #: Where background jobs (ledgers, the daily work) run: empty for in each server process (the embedded default), ``postgres`` for the distributed queue on the PostgreSQL database, taken by ``ducha worker`` processes on any number of machines.
    queue: str = ""
    #: A ledger job whose worker has not renewed its lease for this many seconds (killed, machine gone) is queued again.
    ledger_lease_seconds: int = 60
    #: A ledger job or queue task still running after this many seconds is stopped and marked failed (a ledger: narrow it by county or month); 0: no limit.
    job_timeout_seconds: float = 1800.0
    #: A queue task that failed because the database, the object store or the mail server was out of reach is tried again after this many seconds, then after twice and four times as long (4 tries in all); 0: at once.
    job_retry_seconds: float = 30.0
    #: Folder of the built phone app (``npm run build`` in pwa/), served at ``/``.
    pwa_dir: Path = ROOT / "pwa" / "dist"
    #: Secret for signing; generated once and kept in var/secret_key when unset.
    secret_key: str = ""
    #: Key that seals the audit chain (HMAC of every event and of the head); generated once and kept in var/audit_key when unset. Keep a copy away from the database server: whoever can write the database but lacks this key cannot rewrite the chain unnoticed.
    audit_key: str = ""
    #: Address the server listens on.
    host: str = "127.0.0.1"
    #: Port the server listens on.
    port: int = 8000
    #: Number of server worker processes.
    workers: int = 1
    #: Mark cookies Secure always (they are Secure anyway when the request came over HTTPS).
    secure_cookies: bool = False
    #: A session ends after this many minutes without a request.
    session_idle_minutes: int = 72 * 60
    #: A session ends this many hours after login, whatever its use.
    session_absolute_hours: int = 14 * 24
    #: Largest JSON request body, in bytes.
    max_body_bytes: int = 2 * 1024 * 1024
    #: Largest photo upload, in bytes.
    photo_max_bytes: int = 20 * 1024 * 1024
    #: Largest photo, in pixels (width x height); bigger ones are refused as decompression bombs.
    photo_max_pixels: int = 64_000_000
    #: Largest decoded photo, in MB (width x height x bands x bytes a band): a small PNG can unpack to hundreds of MB.
    photo_max_decoded_mb: int = 128
    #: A photo farther than this many metres from its site is flagged (never less than its reported accuracy).
    photo_radius_m: float = 500.0
    #: County teams may verify and close (销号) issues too, not only city inspectors.
    county_verifies: bool = False
    #: Failed logins for one account from one address within the window before slowing down.
    login_free_failures: int = 5
    #: Failed logins from one address (all accounts) within the window before slowing down.
    login_address_failures: int = 50
    #: The login-throttling window, in minutes.
    login_window_minutes: int = 15
    #: Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated, "*" for any); empty: none, the connection's own address counts.
    trusted_proxies: str = ""
    #: TESTS ONLY: the instant (ISO 8601 with zone) the server's clock reads at start-up, running on from there; empty: the real clock. Warned about loudly at start-up and shown by /api/health.
    test_clock: str = ""
    #: TESTS ONLY: kill the server (SIGKILL) at this point of a write (see server/lib/crash.py); empty: never. Warned about loudly at start-up.
    test_crash_at: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"DUCHA_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            elif isinstance(default, Path):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        settings = cls(**values)  # type: ignore[arg-type]
        if not settings.secret_key:
            object.__setattr__(settings, "secret_key", _kept_secret(ROOT / "var" / "secret_key"))
        if not settings.audit_key:
            object.__setattr__(settings, "audit_key", _kept_secret(ROOT / "var" / "audit_key"))
        return settings

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _kept_secret(path: Path) -> str:
    """The secret kept in ``path``, made on first use; two processes starting at once agree on one
    (it is written whole to a temporary file, then linked into place: never seen half written)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)
    except FileExistsError:  # another process made it first: use theirs
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, read from the comments above."""
    import inspect

    source = inspect.getsource(Settings).splitlines()
    docs: dict[str, str] = {}
    pending = ""
    for line in source:
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending = stripped[2:].strip()
        elif pending and ":" in stripped:
            docs[stripped.split(":", 1)[0].strip()] = pending
            pending = ""
    return [(f"DUCHA_{f.name.upper()}", str(f.default) if f.name not in {"secret_key", "audit_key"} else "(generated)", docs.get(f.name, "")) for f in fields(Settings)]


_current: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings (read on first use)."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def use_settings(settings: Settings | None) -> None:
    """Replace the process-wide settings (tests, the CLI); None: read them again on next use."""
    global _current
    _current = settings
