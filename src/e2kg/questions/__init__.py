"""Ready-made questions: a catalogue of SPARQL files with metadata, answered from the store.

A question is ``catalogue/<id>.rq`` (the query) plus ``catalogue/<id>.json`` (titles, explanation,
parameters, how to show the answer). Adding a question is adding those two files; a wrong file
stops start-up with a message that names it (``load_catalogue``).
"""

from __future__ import annotations

from e2kg.questions.answering import Answer, Citation, answer_question
from e2kg.questions.catalogue import Catalogue, default_catalogue, load_catalogue
from e2kg.questions.model import Column, Parameter, Question

__all__ = [
    "Answer",
    "Catalogue",
    "Citation",
    "Column",
    "Parameter",
    "Question",
    "answer_question",
    "default_catalogue",
    "load_catalogue",
]
