"""The ASGI application for uvicorn workers."""

from server.app import create_app

app = create_app()
