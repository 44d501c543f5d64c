import os

from piccolo.conf.apps import AppConfig

from server.issues.tables import Issue, IssueCounter, Rectification, Refinding

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="issues",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Issue, Rectification, Refinding, IssueCounter],
    migration_dependencies=["server.sites.piccolo_app", "server.accounts.piccolo_app", "server.inspections.piccolo_app"],
    commands=[],
)
