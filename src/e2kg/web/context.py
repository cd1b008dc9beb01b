"""Access to the settings and the store of the running application from request code."""

from __future__ import annotations

from importlib import resources

from flask import current_app

from e2kg.config import Settings
from e2kg.store import Store

SETTINGS_KEY = "e2kg.settings"
STORE_KEY = "e2kg.store"


def get_settings() -> Settings:
    """The settings of the current application."""
    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings


def get_store() -> Store:
    """The store of the current application (opened once when the app was created)."""
    store: Store = current_app.extensions[STORE_KEY]
    return store


def read_web_query(name: str) -> str:
    """The text of ``queries/web/<name>`` shipped with the package."""
    return resources.files("e2kg").joinpath("queries", "web", name).read_text(encoding="utf-8")
