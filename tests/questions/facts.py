"""Expected answers derived from parsed Turtle by walking triples in Python (no SPARQL)."""

from __future__ import annotations

from decimal import Decimal

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import QB, SKOS
from rdflib.term import Node

E2KG = Namespace("https://w3id.org/e2kg/def/core#")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
ID = "https://w3id.org/e2kg/id/"
LEADING = URIRef(ID + "concept/role/leading")
PERIODS = URIRef(ID + "scheme/period")


def department(slug: str) -> URIRef:
    return URIRef(f"{ID}concept/department/{slug}")


def one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    return values[0]


def sentence(graph: Graph, fact: Node) -> str:
    evidence = one(graph, fact, PROV.wasDerivedFrom)
    return str(one(graph, one(graph, evidence, OA.hasSelector), OA.exact))


def leading_roles(graph: Graph) -> set[Node]:
    roles = set(graph.transitive_subjects(SKOS.broader, LEADING))
    assert LEADING in roles
    return roles


def driver_findings(graph: Graph, dept: URIRef | None = None) -> dict[str, Decimal]:
    """Finding IRI -> share of every observation with a leading (or narrower) role."""
    roles = leading_roles(graph)
    return {
        str(finding): Decimal(str(one(graph, finding, E2KG.share)))
        for finding in graph.subjects(RDF.type, QB.Observation)
        if one(graph, finding, E2KG.role) in roles
        and (dept is None or one(graph, finding, E2KG.department) == dept)
    }


def year_of(graph: Graph, finding: Node) -> int:
    study = one(graph, finding, PROV.hadPrimarySource)
    return int(str(one(graph, study, SCHEMA.datePublished))[:4])


def period_of(graph: Graph, year: int) -> URIRef:
    matches = []
    for period in graph.subjects(SKOS.inScheme, PERIODS):
        first = graph.value(period, E2KG.firstYear)
        last = graph.value(period, E2KG.lastYear)
        if (first is None or year >= int(first)) and (last is None or year <= int(last)):
            matches.append(period)
    assert len(matches) == 1, (year, matches)
    assert isinstance(matches[0], URIRef)
    return matches[0]


def driver_means(graph: Graph) -> dict[tuple[str, str], Decimal]:
    """(department, period) -> mean share as driver."""
    groups: dict[tuple[str, str], list[Decimal]] = {}
    for finding, share in driver_findings(graph).items():
        node = URIRef(finding)
        key = (
            str(one(graph, node, E2KG.department)),
            str(period_of(graph, year_of(graph, node))),
        )
        groups.setdefault(key, []).append(share)
    return {key: sum(values, Decimal(0)) / len(values) for key, values in groups.items()}


def non_listings(graph: Graph, dept: URIRef | None = None) -> set[str]:
    return {
        str(fact)
        for fact in graph.subjects(RDF.type, E2KG.NonListing)
        if dept is None or (fact, E2KG.department, dept) in graph
    }
