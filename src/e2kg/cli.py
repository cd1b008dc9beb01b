"""The ``e2kg`` command: load, serve, export, validate and query the knowledge graph.

Settings come from the environment (see ``e2kg.config``); flags such as ``--store`` override them.
Exit codes: 0 success (validate: conforms), 1 validation found violations, 2 bad input or settings,
3 the store failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import BinaryIO, TextIO

from e2kg.allocator import preload_environment
from e2kg.config import Settings
from e2kg.errors import E2kgError, InputError, ParseError, StoreUnavailable
from e2kg.loading import LoadOutcome, load_sources, manifest_path
from e2kg.reporting import render_error_json, render_error_text, render_json, render_text
from e2kg.sources import Profile
from e2kg.store import QueryForm, Store, open_store
from e2kg.validation import validate_files

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_STORE_FAILED = 3

EXPORT_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
"""``export --format`` name -> media type. N-Quads and TriG keep graph names; the others merge."""

QUERY_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
"""``query --format`` name -> media type."""

DEFAULT_QUERY_FORMAT = {
    QueryForm.SELECT: "tsv",
    QueryForm.ASK: "json",
    QueryForm.CONSTRUCT: "turtle",
    QueryForm.DESCRIBE: "turtle",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (``sys.argv[1:]`` when None) and return the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        settings = Settings.from_environment(_environment_with_flags(arguments))
        code: int = arguments.run(arguments, settings)
        return code
    except ParseError as error:
        _print_error(arguments, error)
        return EXIT_BAD_INPUT
    except E2kgError as error:
        _print_error(arguments, error)
        return (
            EXIT_BAD_INPUT
            if error.status < 500 or error.code == "config-error"
            else (EXIT_STORE_FAILED)
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="e2kg",
        description="Knowledge graph of research on Enterprise 2.0 / Social Business adoption.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    store_options = argparse.ArgumentParser(add_help=False)
    store_options.add_argument(
        "--store", help="store: a directory, 'memory' or a SPARQL endpoint URL (E2KG_STORE)"
    )
    source_options = argparse.ArgumentParser(add_help=False)
    source_options.add_argument(
        "--source-dir",
        help="project root holding ontology/, shapes/, graph/ (E2KG_SOURCE_DIR; default: .)",
    )

    load = commands.add_parser(
        "load",
        parents=[store_options, source_options],
        help="load the source files into the store (only changed files unless --force)",
    )
    load.add_argument("--force", action="store_true", help="reload every file")
    load.set_defaults(run=run_load)

    serve = commands.add_parser(
        "serve",
        parents=[store_options, source_options],
        help="load when sources changed, then serve the web application",
    )
    serve.add_argument("--host", help="interface to listen on (E2KG_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (E2KG_PORT; default 8000)")
    serve.add_argument("--dev", action="store_true", help="Flask's development server")
    serve.add_argument(
        "--threads",
        type=int,
        help="gunicorn threads (default: E2KG_MAX_QUERIES + E2KG_QUERY_QUEUE + 4, at least 8)",
    )
    serve.add_argument("--no-load", action="store_true", help="serve the store as it is")
    serve.set_defaults(run=run_serve)

    export = commands.add_parser(
        "export",
        parents=[store_options, source_options],
        help="write the whole graph from the store",
    )
    export.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="turtle")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(run=run_export)

    validate = commands.add_parser(
        "validate",
        parents=[source_options],
        help="check Turtle files or folders against the SHACL shapes",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="Turtle files or folders")
    validate.add_argument(
        "--profile", choices=[profile.value for profile in Profile], default=Profile.GRAPH.value
    )
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--language", choices=["en", "de"], default="en")
    validate.set_defaults(run=run_validate)

    query = commands.add_parser(
        "query",
        parents=[store_options, source_options],
        help="run a SPARQL query against the store",
    )
    query.add_argument("query", metavar="QUERY", help="the query text, or @FILE to read it")
    query.add_argument("--format", choices=sorted(QUERY_FORMATS), help="result format")
    query.set_defaults(run=run_query)

    ask = commands.add_parser(
        "ask",
        parents=[store_options, source_options],
        help="answer a ready-made question (see /questions)",
    )
    ask.add_argument("question", metavar="ID", help="question id, e.g. leading-departments")
    ask.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter value"
    )
    ask.add_argument("--format", choices=["table", "json", "csv"], default="table")
    ask.add_argument("--language", choices=["en", "de"], default="en")
    ask.set_defaults(run=run_ask)

    backup = commands.add_parser(
        "backup",
        parents=[store_options, source_options],
        help="copy the whole store into a new directory (also while a server runs on it)",
    )
    backup.add_argument("target", metavar="DIR", help="the new backup directory")
    backup.add_argument(
        "--url", help="the running server that holds the store (default: E2KG_HOST, E2KG_PORT)"
    )
    backup.set_defaults(run=run_backup)

    restore = commands.add_parser(
        "restore",
        parents=[store_options, source_options],
        help="put a backup (directory or N-Quads file) in place of the embedded store",
    )
    restore.add_argument("source", metavar="BACKUP", help="a backup directory or an .nq file")
    restore.add_argument("--force", action="store_true", help="replace a store that holds data")
    restore.set_defaults(run=run_restore)
    return parser


# -- commands --------------------------------------------------------------------------------------


def run_load(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg load``: bring the store up to date with the source files."""
    if not settings.source_dir.is_dir():
        raise InputError(f"source directory {settings.source_dir} does not exist")
    with open_configured_store(settings) as store:
        outcome = load_sources(
            store,
            settings.source_dir,
            manifest=manifest_path(settings),
            force=arguments.force,
        )
        publish_questions(store, settings)
        total = store.triple_count()
    _print_outcome(outcome, total)
    return EXIT_OK


def run_serve(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg serve``: load what changed, then serve (gunicorn; Flask's server with ``--dev``)."""
    if not arguments.no_load and settings.store != "memory":
        with open_configured_store(settings) as store:
            if store.writable:
                outcome = load_sources(store, settings.source_dir, manifest=manifest_path(settings))
                _print_outcome(outcome, store.triple_count())
    environment = settings_environment(settings)
    os.environ.update(environment)
    print(f"serving on http://{_url_host(settings.host)}:{settings.port}/", file=sys.stderr)
    if arguments.dev:
        from e2kg.web.app import create_app

        create_app().run(host=settings.host, port=settings.port, debug=False, use_reloader=False)
        return EXIT_OK
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{_url_host(settings.host)}:{settings.port}",
        # The embedded Oxigraph directory can be opened by one process only: one worker, threads.
        "--workers",
        "1",
        "--threads",
        # More threads than queries running and waiting: /healthz and pages always find one.
        str(arguments.threads or max(8, settings.max_queries + settings.query_queue + 4)),
        "--timeout",
        str(int(settings.query_timeout) + 30),
        "--no-control-socket",
        "--access-logfile",
        "-",
        "e2kg.web.app:create_app()",
    ]
    os.environ.update(preload_environment(os.environ))  # read by the loader at exec
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)


def run_export(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg export``: the whole graph; N-Quads and TriG keep graph names, the rest merge them."""
    media_type = EXPORT_FORMATS[arguments.format]
    with open_configured_store(settings) as store, _output(arguments.output) as output:
        if media_type in ("application/n-quads", "application/trig"):
            chunks: Iterator[bytes] = store.dump(media_type)
        else:
            query = read_query("export", "merged-graph.rq")
            chunks = store.query_raw(query, media_type).chunks
        for chunk in chunks:
            output.write(chunk)
    return EXIT_OK


def run_validate(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg validate``: 0 conforms, 1 violations, 2 unreadable input."""
    report = validate_files(
        [Path(path) for path in arguments.paths],
        source_dir=settings.source_dir,
        profile=Profile(arguments.profile),
        language=arguments.language,
    )
    rendered = render_json(report) if arguments.format == "json" else render_text(report)
    sys.stdout.write(rendered)
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def run_query(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg query``: run a query and write the result in the chosen format."""
    text: str = arguments.query
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"{path}: cannot read query file: {error.strerror}") from error
    with open_configured_store(settings, existing=True) as store:
        form = store.query_form(text)
        media_type = QUERY_FORMATS[arguments.format or DEFAULT_QUERY_FORMAT[form]]
        result = store.query_raw(text, media_type)
        for chunk in result.chunks:
            sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
    return EXIT_OK


def run_backup(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg backup``: a consistent copy of the store (see ``e2kg.backup``)."""
    from e2kg.backup import take_backup

    backup = take_backup(settings, Path(arguments.target), server_url=arguments.url)
    print(f"backed up {backup.quads} quads ({backup.kind}) into {arguments.target}")
    return EXIT_OK


def run_restore(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg restore``: the backup in place of the embedded store, atomically."""
    from e2kg.backup import restore_backup

    quads = restore_backup(settings, Path(arguments.source), force=arguments.force)
    print(f"restored {quads} quads into {settings.store}")
    return EXIT_OK


def publish_questions(store: Store, settings: Settings) -> None:
    """Put the question catalogue into its named graph (loading drops non-file source graphs)."""
    from e2kg.questions import default_catalogue
    from e2kg.questions.publishing import publish_catalogue

    publish_catalogue(
        store,
        default_catalogue(),
        base_iri=settings.base_iri,
        endpoint=settings.base_iri + "sparql",
    )


def run_ask(arguments: argparse.Namespace, settings: Settings) -> int:
    """``e2kg ask``: answer a question of the catalogue, as a table, JSON or CSV."""
    import json

    from e2kg.questions import answer_question, default_catalogue
    from e2kg.questions.formats import answer_csv, answer_document, answer_table

    question = default_catalogue().get(arguments.question)
    values: dict[str, str] = {}
    for item in arguments.param:
        name, separator, value = item.partition("=")
        if not separator or not name:
            raise InputError(f"--param {item!r}: expected NAME=VALUE")
        values[name.strip()] = value
    with open_configured_store(settings, existing=True) as store:
        answer = answer_question(store, question, values, language=arguments.language)
    if arguments.format == "json":
        text = json.dumps(answer_document(answer), ensure_ascii=False, indent=2) + "\n"
    elif arguments.format == "csv":
        text = answer_csv(answer)
    else:
        text = answer_table(answer)
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_OK


# -- helpers ---------------------------------------------------------------------------------------


def open_configured_store(settings: Settings, *, existing: bool = False) -> Store:
    """The store the settings name (a memory store is filled from the sources first).

    ``existing``: an embedded store directory must already exist (reading commands), rather than
    be created empty.
    """
    if settings.store_is_embedded:
        location = Path(settings.store)
        if existing and not location.is_dir():
            raise StoreUnavailable(
                f"store directory {location} does not exist (run `e2kg load` to create it)"
            )
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the store directory {location}: {error.strerror} ({error.filename})"
            ) from error
    store = open_store(
        settings.store,
        update_url=settings.update_url,
        bearer_token=settings.update_token,
        timeout=settings.query_timeout,
    )
    if settings.store == "memory":
        load_sources(store, settings.source_dir, manifest=None)
    return store


def read_query(role: str, name: str) -> str:
    """The text of ``queries/<role>/<name>`` shipped with the package."""
    return resources.files("e2kg").joinpath("queries", role, name).read_text(encoding="utf-8")


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as ``E2KG_*`` variables, so a server process started next sees the same."""
    environment = {
        "E2KG_STORE": settings.store,
        "E2KG_BASE_IRI": settings.base_iri,
        "E2KG_HOST": settings.host,
        "E2KG_PORT": str(settings.port),
        "E2KG_QUERY_TIMEOUT": str(settings.query_timeout),
        "E2KG_MAX_BODY": str(settings.max_body),
        "E2KG_SOURCE_DIR": str(settings.source_dir),
    }
    if settings.update_url:
        environment["E2KG_UPDATE_URL"] = settings.update_url
    if settings.update_token:
        environment["E2KG_UPDATE_TOKEN"] = settings.update_token
    return environment


class _output:  # noqa: N801 - used like a function in a with statement
    """Standard output, or a file written in full only when everything succeeded."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.temporary = (
            self.path.with_name(self.path.name + ".partial") if self.path is not None else None
        )
        self.stream: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if self.temporary is None:
            return sys.stdout.buffer
        self.stream = self.temporary.open("wb")
        return self.stream

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.stream is None or self.temporary is None or self.path is None:
            sys.stdout.flush()
            return
        self.stream.close()
        if exc_type is None:
            os.replace(self.temporary, self.path)
        else:
            self.temporary.unlink(missing_ok=True)


def _print_outcome(outcome: LoadOutcome, total: int) -> None:
    for source in outcome.loaded:
        print(f"loaded    {source.relative_path}")
    for graph in outcome.removed:
        print(f"removed   {graph}")
    print(
        f"{len(outcome.loaded)} loaded, {len(outcome.unchanged)} unchanged, "
        f"{len(outcome.removed)} removed; the store holds {total} triples"
    )


def _print_error(arguments: argparse.Namespace, error: E2kgError) -> None:
    stream: TextIO = sys.stderr
    if getattr(arguments, "command", None) == "validate" and arguments.format == "json":
        sys.stdout.write(render_error_json(error))
        return
    # One line, whatever the engine put in its message (remote error bodies span lines).
    stream.write(render_error_text(error).strip().replace("\r", " ").replace("\n", " ") + "\n")


FLAG_VARIABLES = {
    "store": "E2KG_STORE",
    "source_dir": "E2KG_SOURCE_DIR",
    "host": "E2KG_HOST",
    "port": "E2KG_PORT",
}
"""Command-line flags that stand for a setting, and its environment variable."""


def _environment_with_flags(arguments: argparse.Namespace) -> dict[str, str]:
    """The environment with the flags given on the command line taking precedence."""
    environment = dict(os.environ)
    for flag, variable in FLAG_VARIABLES.items():
        value = getattr(arguments, flag, None)
        if value is not None:
            environment[variable] = str(value)
    if getattr(arguments, "source_dir", None) is not None:
        environment["E2KG_SOURCE_DIR"] = str(Path(arguments.source_dir).resolve())
    store = getattr(arguments, "store", None)
    if store is not None and store != "memory" and "://" not in store:
        environment["E2KG_STORE"] = str(Path(store).resolve())  # relative to where the user is
    return environment


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


if __name__ == "__main__":
    sys.exit(main())
