"""``rdflib_calls`` keeps rdflib's warning about its own deprecated calls silent in every thread,
also when another thread leaves its block first (a request and a background warm-up querying the
memory store at once): under ``-W error`` the warning escaped as a failed query (500)."""

from __future__ import annotations

import threading

from rdflib import Dataset

from e2kg.store.memory import rdflib_calls


def test_a_thread_leaving_rdflib_calls_first_leaves_the_others_silent() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with rdflib_calls():
            inside.set()
            leave.wait(timeout=10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(timeout=10)
    with rdflib_calls():
        leave.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
        # pyproject makes warnings errors: a DeprecationWarning let through fails here
        assert Dataset().default_context is not None
