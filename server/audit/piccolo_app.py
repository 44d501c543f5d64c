import os

from piccolo.conf.apps import AppConfig

from server.audit.tables import AuditEvent, AuditHead

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[AuditEvent, AuditHead],
    migration_dependencies=[],
    commands=[],
)
