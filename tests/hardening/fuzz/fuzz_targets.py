"""atheris (libFuzzer for Python) targets, run by test_fuzz.py as ``python fuzz_targets.py TARGET
CORPUS -max_total_time=N ...``. A target gets one input and may end in one of the project's own
errors (the ``E2kgError`` family: what the service answers as a 4xx); any other exception is a
crash that libFuzzer reports (non-zero exit, the input saved as an artefact), and an input that
runs longer than libFuzzer's ``-timeout`` is a hang.

Targets:
- ``upload``: the parser every upload path shares (``parse_entry``: ``/validate``, ``/studies``,
  the write gate) under each readable media type, unsafe-document checks included;
- ``query-checks``: the lexical checks a query passes before an engine sees it: query form,
  SERVICE/LOAD refusal, the prefix scan that adds the graph's prefixes, dataset clauses, VALUES
  and projection rewriting;
- ``question-parameters``: binding query-string values to the parameters of every question of
  the catalogue (concepts, resources, integers, words, unknown names).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports(include=["e2kg"]):
    from rdflib import Literal, URIRef

    from e2kg.errors import E2kgError, OperationRefused
    from e2kg.questions import default_catalogue
    from e2kg.questions.parameters import bind_parameters
    from e2kg.store.syntax import (
        dataset_clause,
        has_dataset_clause,
        query_form,
        tokens,
        with_projection,
        with_values,
    )
    from e2kg.submissions.formats import ENTRY_MEDIA_TYPES, parse_entry
    from e2kg.web.federation import check_remote_access
    from e2kg.web.prefixes import declared_prefixes, used_prefixes, with_prefixes

MEDIA_TYPES = sorted(set(ENTRY_MEDIA_TYPES.values()))
PREFIXES = {
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "e2kg": "https://w3id.org/e2kg/def/core#",
}
QUESTIONS = list(default_catalogue())


def fuzz_upload(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    media_type = MEDIA_TYPES[provider.ConsumeIntInRange(0, len(MEDIA_TYPES) - 1)]
    body = provider.ConsumeBytes(provider.remaining_bytes())
    try:
        graph = parse_entry(body, media_type)
    except E2kgError:
        return
    assert len(graph) > 0, "an entry without triples was accepted"


def fuzz_query_checks(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    for check in (query_form, has_dataset_clause, dataset_clause, declared_prefixes, used_prefixes):
        with contextlib.suppress(E2kgError):
            check(text)
    try:
        check_remote_access(text, (), PREFIXES)
    except OperationRefused:
        pass
    else:  # accepted: no SERVICE or LOAD keyword may be left outside strings, IRIs, comments
        assert not any(
            token.kind == "word" and token.text.upper() in ("SERVICE", "LOAD")
            for token in tokens(text)
        ), text
    try:
        prefixed = with_prefixes(text, PREFIXES)
        assert prefixed.text.endswith(text), "the prefix scan changed the query text"
        with_values(text, {"x": Literal("v"), "y": URIRef("urn:y")})
        with_projection(text, ["x"])
    except E2kgError:
        pass


def fuzz_question_parameters(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    question = QUESTIONS[provider.ConsumeIntInRange(0, len(QUESTIONS) - 1)]
    names = [parameter.name for parameter in question.parameters]
    values: dict[str, str] = {}
    for name in names:
        if provider.ConsumeBool():
            values[name] = provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 80))
    if provider.ConsumeIntInRange(0, 7) == 0:  # now and then a name the question does not know
        values[provider.ConsumeUnicodeNoSurrogates(8)] = provider.ConsumeUnicodeNoSurrogates(8)
    try:
        bindings, used = bind_parameters(question, values)
    except E2kgError:
        return
    for parameter in question.parameters:  # an IRI parameter binds an IRI under its base
        term = bindings.get(parameter.name)
        if parameter.base is not None and term is not None:
            assert isinstance(term, URIRef) and str(term).startswith(parameter.base), term
            assert not any(character in str(term) for character in ' <>"{}|^`\\\n'), term
    assert set(used) <= set(names), used


TARGETS: dict[str, Callable[[bytes], None]] = {
    "upload": fuzz_upload,
    "query-checks": fuzz_query_checks,
    "question-parameters": fuzz_question_parameters,
}


def main() -> None:
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
