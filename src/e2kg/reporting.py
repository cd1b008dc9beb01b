"""Render validation reports and input errors as text for a person or JSON for a program.

The text report shortens IRIs with the prefixes of the shapes and data; the JSON report keeps full
IRIs and gives values as SPARQL-results-style term objects.
"""

from __future__ import annotations

import json

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.paths import Path as PropertyPath
from rdflib.term import Node

from e2kg.errors import E2kgError
from e2kg.validation import Severity, ValidationReport, ValidationResult


def render_text(report: ValidationReport) -> str:
    """A report a person can read from top to bottom: a verdict, then one block per result."""
    names = _namespace_manager(report.prefixes)
    counts = report.counts
    verdict = "conforms" if report.conforms else "does not conform"
    files = len(report.files)
    lines = [
        f"{files} file{'s' if files != 1 else ''} checked against profile "
        f"{report.profile.value}: {verdict} "
        f"({_plural(counts[Severity.VIOLATION.value], 'violation')}, "
        f"{_plural(counts[Severity.WARNING.value], 'warning')}, "
        f"{_plural(counts[Severity.INFO.value], 'info')})",
    ]
    for result in report.results:
        lines.append("")
        lines.extend(_result_lines(result, names))
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """The report as a JSON document (see ``report_to_dict``)."""
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


def report_to_dict(report: ValidationReport) -> dict[str, object]:
    """The report as JSON-ready data with full IRIs."""
    return {
        "conforms": report.conforms,
        "profile": report.profile.value,
        "files": report.files,
        "counts": report.counts,
        "results": [_result_to_dict(result) for result in report.results],
    }


def render_error_text(error: E2kgError) -> str:
    """An input error as one line (``file:line:column: message`` for parse errors)."""
    return f"error: {error.message}\n"


def render_error_json(error: E2kgError) -> str:
    """An input error as JSON: ``error`` code, ``message``, ``source``, ``line``, ``column``."""
    return json.dumps({"conforms": False, **error.to_dict()}, indent=2, ensure_ascii=False) + "\n"


def term_to_dict(term: Node) -> dict[str, str]:
    """An RDF term as in SPARQL 1.1 JSON results: type, value, and datatype or xml:lang."""
    if isinstance(term, Literal):
        data = {"type": "literal", "value": str(term)}
        if term.language:
            data["xml:lang"] = term.language
        elif term.datatype:
            data["datatype"] = str(term.datatype)
        return data
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}


def _result_lines(result: ValidationResult, names: NamespaceManager) -> list[str]:
    heading = f"{result.severity.value}: {_short(result.focus_node, names)}"
    if result.focus_label:
        heading += f' "{result.focus_label}"'
    lines = [heading, f"  message: {result.message}"]
    if result.path is not None:
        lines.append(f"  path:    {_short_path(result.path, names)}")
    if result.value is not None:
        lines.append(f"  value:   {_short(result.value, names)}")
    if result.source_shape is not None:
        shape = _short(result.source_shape, names)
        if isinstance(result.source_shape, BNode) and result.source_shape_name:
            shape = result.source_shape_name
        lines.append(f"  shape:   {shape}")
    return lines


def _result_to_dict(result: ValidationResult) -> dict[str, object]:
    return {
        "severity": result.severity.value,
        "focusNode": str(result.focus_node),
        "focusLabel": result.focus_label,
        "path": _path_to_string(result.path),
        "value": term_to_dict(result.value) if result.value is not None else None,
        "message": result.message,
        "sourceShape": str(result.source_shape) if result.source_shape is not None else None,
        "sourceShapeName": result.source_shape_name,
        "constraintComponent": (
            str(result.constraint_component) if result.constraint_component is not None else None
        ),
    }


def _path_to_string(path: URIRef | PropertyPath | None) -> str | None:
    """A plain IRI for a predicate path; SPARQL property-path syntax for a complex one."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    return path.n3()


def _short_path(path: URIRef | PropertyPath, names: NamespaceManager) -> str:
    if isinstance(path, URIRef):
        return _short(path, names)
    return path.n3(names)


def _short(term: Node, names: NamespaceManager) -> str:
    if isinstance(term, URIRef):
        try:
            return names.normalizeUri(term)
        except Exception:  # an IRI no prefix fits stays in full
            return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3(names)
    return f"_:{term}"


def _namespace_manager(prefixes: dict[str, str]) -> NamespaceManager:
    names = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        names.bind(prefix, URIRef(namespace), override=True, replace=True)
    return names


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"
