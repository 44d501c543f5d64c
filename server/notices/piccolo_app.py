import os

from piccolo.conf.apps import AppConfig

from server.notices.tables import Notice

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="notices",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Notice],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
