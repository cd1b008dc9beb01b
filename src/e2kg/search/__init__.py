"""Full-text search over the labels and texts of the graph (neither rdflib nor Oxigraph has one).

``SearchIndex(store).search("Zustandigkeiten")`` -- German-aware (case, umlauts, ß), finds parts of
compound words, ranked, filterable by kind. See ``index`` and ``normalise``.
"""

from e2kg.search.index import KINDS, Hit, SearchIndex, SearchResults
from e2kg.search.normalise import normalise

__all__ = ["KINDS", "Hit", "SearchIndex", "SearchResults", "normalise"]
