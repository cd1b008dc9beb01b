"""The admission rules on their own (``e2kg.query_admission``): bounded running and waiting,
503 and 429 with Retry-After naming the limit, long-query slots leaving one for short queries,
the free slot going to the client with the fewest running queries, places freed on leave, and the
shapes of slow queries."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from e2kg.errors import Overloaded, TooManyQueries
from e2kg.query_admission import Admission, QueryLimits, SlowShapes, Ticket, query_shape

LIMITS = QueryLimits(running=3, queue=2, short_time=0.5, per_client=2, timeout=4, queue_wait=1.0)


def admit_later(admission: Admission, client: str) -> tuple[threading.Thread, list[object]]:
    """``enter`` on a thread; its outcome (a Ticket or the error) lands in the list."""
    outcome: list[object] = []

    def enter() -> None:
        try:
            outcome.append(admission.enter(client))
        except (Overloaded, TooManyQueries) as error:
            outcome.append(error)

    thread = threading.Thread(target=enter)
    thread.start()
    return thread, outcome


def wait_for_waiting(admission: Admission, count: int) -> None:
    deadline = time.monotonic() + 5
    while admission.state()["waiting"] < count:
        assert time.monotonic() < deadline, admission.state()
        time.sleep(0.01)


@pytest.mark.timeout(10)
def test_running_and_waiting_are_bounded_and_refusals_say_when_to_retry() -> None:
    admission = Admission(LIMITS)
    tickets = [admission.enter(f"client-{i}") for i in range(3)]
    waiting = [admit_later(admission, f"waiting-{i}") for i in range(2)]
    wait_for_waiting(admission, 2)
    with pytest.raises(Overloaded) as refused:
        admission.enter("one-too-many")
    assert "E2KG_MAX_QUERIES" in refused.value.message
    assert "E2KG_QUERY_QUEUE" in refused.value.message
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "4"
    admission.leave(tickets[0])
    for thread, _ in waiting:
        thread.join(timeout=5)
    outcomes = [outcome[0] for _, outcome in waiting]
    assert sum(isinstance(o, Ticket) for o in outcomes) == 1  # one got the freed slot
    assert sum(isinstance(o, Overloaded) for o in outcomes) == 1  # one waited queue_wait, 503
    assert admission.state()["running"] == 3 and admission.state()["waiting"] == 0


@pytest.mark.timeout(10)
def test_one_client_gets_429_beyond_its_places() -> None:
    admission = Admission(LIMITS)
    first, second = admission.enter("greedy"), admission.enter("greedy")
    with pytest.raises(TooManyQueries) as refused:
        admission.enter("greedy")
    assert refused.value.status == 429 and "E2KG_CLIENT_QUERIES" in refused.value.message
    assert refused.value.headers["Retry-After"]
    assert isinstance(admission.enter("someone-else"), Ticket)
    admission.leave(first)
    admission.leave(first)  # leaving twice frees one place only
    assert isinstance(admission.enter("greedy"), Ticket)
    admission.leave(second)
    assert admission.state()["running"] == 2


@pytest.mark.timeout(10)
def test_one_slot_always_stays_for_short_queries() -> None:
    admission = Admission(LIMITS)
    tickets = [admission.enter(f"slow-{i}") for i in range(3)]
    assert admission.go_long(tickets[0]) and admission.go_long(tickets[1])
    assert not admission.go_long(tickets[2])  # the last slot is for short queries
    assert admission.state()["long"] == LIMITS.long_running == 2
    started = time.monotonic()
    with pytest.raises(Overloaded) as refused:
        admission.readmit_long(tickets[2])  # waits queue_wait for a long slot, none frees
    assert time.monotonic() - started >= LIMITS.queue_wait * 0.9
    assert "E2KG_SHORT_QUERY_TIME" in refused.value.message
    short = admission.enter("short")  # its slot was given back
    assert admission.state()["running"] == 3
    admission.leave(short)


@pytest.mark.timeout(10)
def test_a_stopped_query_gets_the_next_long_slot() -> None:
    admission = Admission(LIMITS)
    tickets = [admission.enter(f"slow-{i}") for i in range(3)]
    assert admission.go_long(tickets[0]) and admission.go_long(tickets[1])
    assert not admission.go_long(tickets[2])
    readmitted = threading.Thread(target=admission.readmit_long, args=(tickets[2],))
    readmitted.start()
    wait_for_waiting(admission, 1)
    admission.leave(tickets[0])
    readmitted.join(timeout=5)
    assert tickets[2].long and tickets[2].running
    assert admission.state() | {"refused": 0} == admission.state() | {
        "running": 2,
        "long": 2,
        "waiting": 0,
        "refused": 0,
    }


@pytest.mark.timeout(10)
def test_the_free_slot_goes_to_the_client_with_fewest_running_queries() -> None:
    limits = QueryLimits(running=2, queue=4, per_client=4, timeout=4, queue_wait=3.0)
    admission = Admission(limits)
    hog = [admission.enter("hog"), admission.enter("hog")]
    hog_waiting, hog_outcome = admit_later(admission, "hog")
    wait_for_waiting(admission, 1)
    time.sleep(0.05)  # the hog's third query waits longer than the newcomer
    newcomer, newcomer_outcome = admit_later(admission, "newcomer")
    wait_for_waiting(admission, 2)
    admission.leave(hog[0])
    newcomer.join(timeout=5)
    assert isinstance(newcomer_outcome[0], Ticket)  # the hog still runs one, the newcomer none
    assert not hog_outcome  # the hog's older query still waits
    admission.leave(hog[1])
    hog_waiting.join(timeout=5)
    assert isinstance(hog_outcome[0], Ticket)


@pytest.mark.timeout(10)
def test_a_short_query_goes_ahead_of_a_full_queue_of_long_ones() -> None:
    """Queries waiting for a long slot do not block a short query whose slot is free."""
    admission = Admission(LIMITS)
    long_ones = [admission.enter(f"slow-{i}", long=True) for i in range(2)]
    waiting = [admit_long_later(admission, f"variant-{i}") for i in range(LIMITS.queue)]
    wait_for_waiting(admission, LIMITS.queue)
    with pytest.raises(Overloaded):
        admission.enter("one-more-variant", long=True)
    short = admission.enter("simple")  # the short-query slot is free: no wait, no refusal
    assert short.running and not short.long
    for ticket in (short, *long_ones):
        admission.leave(ticket)
    for thread in waiting:
        thread.join(timeout=5)


def admit_long_later(admission: Admission, client: str) -> threading.Thread:
    def enter() -> None:
        with contextlib.suppress(Overloaded):
            admission.leave(admission.enter(client, long=True))

    thread = threading.Thread(target=enter)
    thread.start()
    return thread


def test_variants_of_a_query_share_a_shape_and_other_queries_do_not() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f%s }"
    assert query_shape(slow % 1) == query_shape(slow % 22) == query_shape(slow % "x  ")
    assert query_shape('ASK { ?s ?p "one" }') == query_shape("ASK { ?s ?p 'two' }")
    assert query_shape("ASK { ?s ?p 1 }") == query_shape("ASK { ?s ?p 2.5 }")
    report = "SELECT ?s WHERE { ?s a <http://schema.org/Report> }"
    person = "SELECT ?s WHERE { ?s a <http://schema.org/Person> }"
    assert query_shape(report) != query_shape(person)
    assert query_shape("ASK { <urn:x:2012> ?p ?o }") != query_shape("ASK { <urn:x:2013> ?p ?o }")
    assert query_shape(report) != query_shape(report.replace("SELECT ?s", "SELECT DISTINCT ?s"))


def test_slow_shapes_are_remembered_bounded_and_forgotten() -> None:
    shapes = SlowShapes(size=2, seconds=60)
    shapes.note_slow("a")
    shapes.note_slow("b")
    assert shapes.known("a") and shapes.known("b")
    shapes.note_slow("c")  # over the size: the oldest goes
    assert not shapes.known("a") and shapes.known("c")
    shapes.note_fast("c")  # ran fast since: it goes through the short-query worker again
    assert not shapes.known("c")
    expiring = SlowShapes(seconds=0.01)
    expiring.note_slow("d")
    time.sleep(0.05)
    assert not expiring.known("d")
