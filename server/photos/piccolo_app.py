import os

from piccolo.conf.apps import AppConfig

from server.photos.tables import Photo, PhotoClaim

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="photos",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Photo, PhotoClaim],
    migration_dependencies=["server.sites.piccolo_app", "server.accounts.piccolo_app"],
    commands=[],
)
