"""The Flask application factory: settings, the one store per app, blueprints and error handlers.

Production runs ``gunicorn 'e2kg.web.app:create_app()'`` with one worker and several threads,
because only one process may open an embedded Oxigraph directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.query_runner import runner_for
from e2kg.store import Store, open_store
from e2kg.web import (
    description,
    errors,
    graph_store,
    health,
    home,
    ontology_docs,
    resources,
    search,
    sparql,
)
from e2kg.web import questions as question_pages
from e2kg.web import validate as validation_pages
from e2kg.web.context import SETTINGS_KEY, STORE_KEY
from e2kg.web.prefixes import collect_prefixes
from e2kg.web.results import PREFIXES_KEY, RUNNER_KEY


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``test_config`` may carry ``E2KG_SETTINGS`` (a Settings instance; default: from the environment)
    and ``E2KG_STORE`` (an open Store to use instead of opening the configured one); other keys go
    into ``app.config``. A memory store is filled from the source files when the app starts.
    """
    config = dict(test_config or {})
    settings = config.pop("E2KG_SETTINGS", None) or Settings.from_environment()
    store = config.pop("E2KG_STORE", None) or _open_configured_store(settings)
    workers = int(config.pop("E2KG_QUERY_WORKERS", settings.max_queries))
    store, runner = runner_for(
        store, timeout=settings.query_timeout, workers=workers, settings=settings
    )

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body, JSON_SORT_KEYS=False)
    app.config.update(config)
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[STORE_KEY] = store
    app.extensions[PREFIXES_KEY] = collect_prefixes(settings.source_dir)
    app.extensions[RUNNER_KEY] = runner

    errors.init_app(app)
    app.register_blueprint(home.blueprint)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(description.blueprint)
    app.register_blueprint(health.blueprint)
    question_pages.init_app(app)
    app.register_blueprint(resources.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(ontology_docs.blueprint)
    validation_pages.init_app(app)
    return app


def _open_configured_store(settings: Settings) -> Store:
    if settings.store_is_embedded:
        Path(settings.store).parent.mkdir(parents=True, exist_ok=True)
    store = open_store(
        settings.store,
        update_url=settings.update_url,
        bearer_token=settings.update_token,
        timeout=settings.query_timeout,
    )
    if settings.store == "memory":
        load_sources(store, settings.source_dir, manifest=None)
    return store
