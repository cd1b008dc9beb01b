"""Who is asking: the per-request client key the query admission counts (``E2KG_CLIENT_QUERIES``).

A client is its address and its User-Agent, the buckets the Wikidata Query Service throttles by;
the key is handed to the query runner through ``e2kg.query_admission.CURRENT_CLIENT``, so no query
path needs to pass it along. Registered app-wide by the health blueprint (every app has it).
The runner takes the place (``WorkerPool.run``); this hook only refuses early and cheaply.
"""

from __future__ import annotations

from flask import request

from e2kg.query_admission import CURRENT_CLIENT
from e2kg.web.results import get_runner

USER_AGENT_LENGTH = 200
"""Characters of the User-Agent kept in the key (the key is held while the query runs)."""


def client_key() -> str:
    """The current request's client: remote address and User-Agent."""
    agent = request.user_agent.string[:USER_AGENT_LENGTH]
    return f"{request.remote_addr or '-'} {agent}"


def remember_client() -> None:
    """Before every request: note who is asking; refuse a SPARQL query at once when the runner
    would refuse it anyway (client over its places, slots and queue full), before parsing it --
    under a flood the refusals then cost little, and /healthz waits behind fewer requests."""
    client = client_key()
    CURRENT_CLIENT.set(client)
    if is_sparql_query():
        get_runner().check_admission(client)


def is_sparql_query() -> bool:
    """Whether the request asks /sparql a query (not an update, a description or the page)."""
    if request.path != "/sparql" or request.method not in ("GET", "POST", "HEAD"):
        return False
    if "query" in request.args:
        return True
    if request.method != "POST":
        return False
    if request.mimetype == "application/sparql-query":
        return True
    return request.mimetype == "application/x-www-form-urlencoded" and "query" in request.form
