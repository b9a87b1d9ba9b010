"""The web app: server-rendered pages over the same services as the CLI.

Every page's data is also served as JSON under ``/api`` (the Datasette taste). Handlers are
thin: they check who is asking (``auth.allow``), call services, and render a template or
return the same data as JSON. See docs/WEB.md for how to add a page.
"""

from realist.web.app import create_app
from realist.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
