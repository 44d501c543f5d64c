import os

from piccolo.conf.apps import AppConfig

from server.accounts.tables import LoginFailure, Session, User

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[User, Session, LoginFailure],
    migration_dependencies=["server.sites.piccolo_app"],
    commands=[],
)
