import os

from piccolo.conf.apps import AppConfig

from server.plans.tables import PlannedVisit, VisitPlan

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="plans",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[VisitPlan, PlannedVisit],
    migration_dependencies=["server.sites.piccolo_app", "server.accounts.piccolo_app"],
    commands=[],
)
