"""A validation report as RDF: the ``sh:ValidationReport`` the Turtle answer of ``/validate`` is.

Messages are the ones of the report (in the request's language, with their language tag); paths
that are not a single property are given by their SPARQL property-path text in a comment-free
``rdfs:comment``, since the report model keeps no SHACL path nodes for them.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef

from e2kg.parsing import new_graph
from e2kg.validation import Severity, ValidationReport

SEVERITIES = {
    Severity.VIOLATION: SH.Violation,
    Severity.WARNING: SH.Warning,
    Severity.INFO: SH.Info,
}


def report_graph(report: ValidationReport, *, language: str) -> Graph:
    """The report as an ``sh:ValidationReport`` graph."""
    graph = new_graph()
    graph.bind("sh", SH)
    for prefix, namespace in report.prefixes.items():
        graph.bind(prefix, URIRef(namespace), override=False)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    for result in report.results:
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, result.focus_node))
        graph.add((node, SH.resultSeverity, SEVERITIES[result.severity]))
        graph.add((node, SH.resultMessage, Literal(result.message, lang=language)))
        if isinstance(result.path, URIRef):
            graph.add((node, SH.resultPath, result.path))
        elif result.path is not None:
            graph.add((node, RDFS.comment, Literal(f"path: {result.path.n3()}")))
        if result.value is not None:
            graph.add((node, SH.value, result.value))
        if result.source_shape is not None and not isinstance(result.source_shape, BNode):
            graph.add((node, SH.sourceShape, result.source_shape))
        if result.constraint_component is not None:
            graph.add((node, SH.sourceConstraintComponent, result.constraint_component))
    return graph
