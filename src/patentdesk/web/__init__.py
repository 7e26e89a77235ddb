"""The public portal and REST API: `patentdesk.web.app.create_app(settings)` builds the FastAPI app."""
