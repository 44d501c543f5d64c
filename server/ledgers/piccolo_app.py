import os

from piccolo.conf.apps import AppConfig

from server.ledgers.tables import LedgerJob, LedgerSubmission

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="ledgers",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[LedgerJob, LedgerSubmission],
    migration_dependencies=["server.sites.piccolo_app", "server.accounts.piccolo_app"],
    commands=[],
)
