import os

from piccolo.conf.apps import AppConfig

from server.sites.tables import County, Department, Site, SiteProposal

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="sites",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[County, Department, Site, SiteProposal],
    migration_dependencies=[],
    commands=[],
)
