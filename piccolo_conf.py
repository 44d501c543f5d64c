"""Piccolo configuration: the engine comes from DUCHA_DATABASE_URL (SQLite file by default)."""

from piccolo.conf.apps import AppRegistry

from server.lib.db import engine_for
from server.settings import get_settings

DB = engine_for(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "server.sites.piccolo_app",
        "server.accounts.piccolo_app",
        "server.audit.piccolo_app",
        "server.inspections.piccolo_app",
        "server.issues.piccolo_app",
        "server.photos.piccolo_app",
        "server.ledgers.piccolo_app",
        "server.plans.piccolo_app",
        "server.checklists.piccolo_app",
        "server.notices.piccolo_app",
    ]
)
