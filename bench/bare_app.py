"""The least a Python SPARQL endpoint can be, as a reference row of the harness: Flask and
pyoxigraph under gunicorn, no checks, no limits, no workers, no negotiation (SPARQL JSON only).

It shows what Python's HTTP layer alone costs beside ``oxigraph serve``, and so how much of e2kg's
gap is e2kg's own. Like e2kg it serves one RocksDB directory from one process (opened read-only
here, since it never writes).

    python bench/bare_app.py --load STORE FILE        # bulk load FILE (N-Quads) into STORE
    gunicorn --workers 1 --threads 8 --pythonpath bench "bare_app:create_app('STORE')"
"""

from __future__ import annotations

import argparse
import sys

import pyoxigraph
from flask import Flask, Response, request

SPARQL_JSON = "application/sparql-results+json"


def create_app(location: str) -> Flask:
    """A Flask app answering ``GET /sparql?query=…`` from the store at ``location``."""
    store = pyoxigraph.Store.read_only(location)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        try:
            result = store.query(request.args["query"], use_default_graph_as_union=True)
        except (KeyError, SyntaxError) as error:
            return Response(str(error), status=400, mimetype="text/plain")
        if isinstance(result, pyoxigraph.QueryBoolean):
            body = b"true" if bool(result) else b"false"
            return Response(body, mimetype="text/plain")
        if isinstance(result, pyoxigraph.QueryTriples):
            return Response(result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES))
        return Response(
            result.serialize(format=pyoxigraph.QueryResultsFormat.JSON), mimetype=SPARQL_JSON
        )

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", nargs=2, metavar=("STORE", "FILE"), required=True)
    options = parser.parse_args(argv)
    location, data = options.load
    store = pyoxigraph.Store(location)
    store.bulk_load(path=data, format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
