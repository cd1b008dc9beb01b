"""``/ontology`` and ``/shapes``: readable documentation of the vocabulary and the SHACL shapes."""

from __future__ import annotations

from flask import Blueprint, render_template

from e2kg.resources.iris import IriMapper
from e2kg.resources.vocabulary import shape_docs, term_docs
from e2kg.web.context import get_settings, get_store
from e2kg.web.resources import request_language

blueprint = Blueprint("ontology_docs", __name__)


@blueprint.get("/ontology")
def ontology() -> str:
    """Every class and property of the e2kg ontology."""
    language = request_language()
    mapper = IriMapper(get_settings().base_iri)
    terms = term_docs(get_store(), mapper, language)
    return render_template("ontology.html", terms=terms, language=language)


@blueprint.get("/shapes")
def shapes() -> str:
    """Every SHACL shape and what it constrains."""
    language = request_language()
    mapper = IriMapper(get_settings().base_iri)
    return render_template(
        "ontology_shapes.html", shapes=shape_docs(get_store(), mapper, language), language=language
    )
