"""Conversion of RDF terms between rdflib and pyoxigraph, and their safe N-Triples spelling.

The N-Triples spelling is the only way a user value enters SPARQL text (a remote store's VALUES
block, INSERT DATA): every character that could end a string or an IRI is escaped or refused.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from e2kg.errors import InputError, StoreError

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_BLANK_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPED = re.compile(r'[\\"\n\r\t]')


def escape_string(text: str) -> str:
    """``text`` with backslash, quote, newline, return and tab escaped for a quoted literal."""
    return _ESCAPED.sub(lambda m: _ESCAPES[m.group(0)], text)


def is_absolute_iri(text: str) -> bool:
    """Whether ``text`` has a scheme and none of the characters (controls, space, ``<>"{}|^`\\``)
    an IRI may not contain."""
    scheme, colon, _ = text.partition(":")
    return bool(colon and scheme) and not _IRI_FORBIDDEN.search(text)


def iri_ntriples(iri: str) -> str:
    """``<iri>``; InputError when the IRI holds a character IRIs may not contain."""
    if _IRI_FORBIDDEN.search(iri):
        raise InputError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def to_ntriples(term: Node) -> str:
    """The N-Triples (and SPARQL) spelling of an rdflib IRI, literal or blank node."""
    if isinstance(term, URIRef):
        return iri_ntriples(str(term))
    if isinstance(term, Literal):
        lexical = f'"{escape_string(str(term))}"'
        if term.language:
            if not _LANGUAGE_TAG.match(term.language):
                raise InputError(f"not a valid language tag: {term.language!r}")
            return f"{lexical}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{lexical}^^{iri_ntriples(str(term.datatype))}"
        return lexical
    if isinstance(term, BNode):
        if not _BLANK_LABEL.match(str(term)):
            raise InputError(f"not a valid blank node label: {str(term)!r}")
        return f"_:{term}"
    raise InputError(f"cannot use {term!r} as an RDF term")


def to_rdflib(term: object) -> Node:
    """The rdflib term for a pyoxigraph term (xsd:string literals become plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise StoreError(f"rdflib has no term for {term!r} (RDF-star triples are not supported)")


def to_oxigraph(term: Node) -> OxTerm:
    """The pyoxigraph term for an rdflib IRI, literal or blank node."""
    if isinstance(term, URIRef):
        try:
            return ox.NamedNode(str(term))
        except ValueError as e:
            raise InputError(f"not a valid IRI: {str(term)!r}: {e}") from e
    if isinstance(term, Literal):
        try:
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        except ValueError as e:
            raise InputError(f"not a valid literal: {term!r}: {e}") from e
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise InputError(f"cannot use {term!r} as an RDF term")


def subject_to_oxigraph(term: Node) -> OxSubject:
    """The pyoxigraph term for a subject or graph name (IRI or blank node)."""
    converted = to_oxigraph(term)
    if isinstance(converted, ox.Literal):
        raise InputError(f"a literal cannot be a subject: {term!r}")
    return converted
