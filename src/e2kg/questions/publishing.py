"""The catalogue as RDF, so SPARQL clients can discover the questions, and its OpenAPI document.

Each question is a ``sh:SPARQLSelectExecutable`` (a ``sh:SPARQLExecutable``) with its German and
English title as ``rdfs:label``, the query as ``sh:select`` and the endpoint as ``schema:target``,
the convention SPARQL example collections use. It lives in its own named graph, replaced whenever
the sources are loaded or the application starts on a writable store.
"""

from __future__ import annotations

from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from e2kg.questions.catalogue import Catalogue
from e2kg.questions.model import LANGUAGES, Question
from e2kg.questions.paging import DEFAULT_SIZE, MAX_SIZE
from e2kg.store import Store

QUESTIONS_GRAPH = URIRef("https://w3id.org/e2kg/source/questions")
"""The named graph holding the catalogue."""

SCHEMA = Namespace("http://schema.org/")
OPENAPI_TYPES: dict[str, dict[str, Any]] = {
    "concept": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"},
    "resource": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._/-]*$"},
    "text": {"type": "string", "maxLength": 200},
    "words": {"type": "string", "maxLength": 200},
    "integer": {"type": "integer"},
}


def question_iri(base_iri: str, question: Question) -> URIRef:
    """The IRI of a question: ``{base}id/question/{id}``."""
    return URIRef(f"{base_iri}id/question/{question.id}")


def catalogue_graph(catalogue: Catalogue, *, base_iri: str, endpoint: str) -> Graph:
    """The catalogue as triples."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("schema", SCHEMA)
    for question in catalogue:
        node = question_iri(base_iri, question)
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, SH.SPARQLSelectExecutable))
        for language in LANGUAGES:
            graph.add((node, RDFS.label, Literal(question.title[language], lang=language)))
            graph.add((node, RDFS.comment, Literal(question.explanation[language], lang=language)))
        graph.add((node, SH.select, Literal(question.query)))
        graph.add((node, SCHEMA.target, URIRef(endpoint)))
        graph.add((node, SCHEMA.identifier, Literal(question.id)))
    return graph


def publish_catalogue(store: Store, catalogue: Catalogue, *, base_iri: str, endpoint: str) -> bool:
    """Replace the catalogue's named graph in ``store``; False (nothing done) when it is read-only."""
    if not store.writable:
        return False
    graph = catalogue_graph(catalogue, base_iri=base_iri, endpoint=endpoint)
    store.replace_graph(QUESTIONS_GRAPH, graph, media_type="text/turtle")
    return True


def openapi_document(catalogue: Catalogue, *, server: str, language: str = "en") -> dict[str, Any]:
    """An OpenAPI 3 document: one GET operation per question, its parameters typed."""
    paths: dict[str, Any] = {
        "/questions": {
            "get": {
                "operationId": "listQuestions",
                "summary": "The question catalogue",
                "responses": {
                    "200": {
                        "description": "the questions",
                        "content": {"application/json": {}, "text/html": {}},
                    }
                },
            }
        }
    }
    for question in catalogue:
        parameters = []
        for parameter in question.parameters:
            schema: dict[str, Any] = dict(OPENAPI_TYPES[parameter.type])
            if parameter.default is not None:
                schema["default"] = (
                    int(parameter.default) if parameter.type == "integer" else parameter.default
                )
            if parameter.minimum is not None:
                schema["minimum"] = parameter.minimum
            if parameter.maximum is not None:
                schema["maximum"] = parameter.maximum
            entry: dict[str, Any] = {
                "name": parameter.name,
                "in": "query",
                "required": parameter.required,
                "description": question.text(parameter.label, language),
                "schema": schema,
            }
            if parameter.example is not None:
                entry["example"] = parameter.example
            parameters.append(entry)
        parameters.append(
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "description": "language of labels (default: from Accept-Language)",
                "schema": {"type": "string", "enum": list(LANGUAGES)},
            }
        )
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "answer format (default: from Accept)",
                "schema": {"type": "string", "enum": ["html", "json", "csv"]},
            }
        )
        parameters += [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "which page of the answer's rows (from 1); JSON names the total "
                "and the next and previous pages under 'paging', every format in Link headers",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": "rows per page",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_SIZE,
                    "default": DEFAULT_SIZE,
                },
            },
        ]
        paths[f"/questions/{question.id}"] = {
            "get": {
                "operationId": question.id,
                "summary": question.text(question.title, language),
                "description": question.text(question.explanation, language),
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "one page of the answer (header X-Total-Count: all rows; "
                        'Link: rel="first", "previous", "next", "last")',
                        "content": {"application/json": {}, "text/csv": {}, "text/html": {}},
                    },
                    "400": {
                        "description": "a parameter value is wrong, or the page is past the "
                        "last one (the message names the parameter)"
                    },
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "e2kg ready-made questions", "version": "1"},
        "servers": [{"url": server}],
        "paths": paths,
    }
