"""Where each IRI of the graph lives on this service, and back.

The service maps a request path ``/id/...``, ``/def/...`` or ``/shapes/...`` to the IRI
``<base>id/...`` (``E2KG_BASE_IRI``), and an IRI under the base to its path. A hash IRI
(``.../def/core#Term``) lives in the document before the ``#``. Paths are checked strictly: segments
of unreserved ASCII characters only, no ``..``, so odd paths are a client error, never a fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from e2kg.errors import InputError

DEREFERENCEABLE_ROOTS = ("id", "def", "shapes")
"""Top-level path segments that name resources of the graph."""

RDF_SUFFIXES: dict[str, str] = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
"""File extensions that ask for one RDF form of a resource."""

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~\-]*$")


@dataclass(frozen=True)
class ResourcePath:
    """A request path resolved: the document IRI and the RDF suffix asked for (if any)."""

    iri: URIRef
    suffix: str | None


@dataclass(frozen=True)
class IriMapper:
    """Maps between IRIs under ``base`` and local paths of this service."""

    base: str

    def resolve(self, root: str, rest: str) -> ResourcePath:
        """The IRI of request path ``/{root}/{rest}``; raises InputError for a malformed path.

        A trailing ``.ttl``/``.nt``/``.jsonld``/``.rdf`` is taken as the requested form.
        """
        if root not in DEREFERENCEABLE_ROOTS:
            raise InputError(f"/{root}/ does not name resources")
        segments = rest.split("/")
        if not rest or any(not _SEGMENT.match(segment) for segment in segments):
            raise InputError(f"not a resource path: /{root}/{rest}")
        suffix = None
        stem, dot, extension = segments[-1].rpartition(".")
        if dot and stem and extension in RDF_SUFFIXES:
            suffix = extension
            segments[-1] = stem
        return ResourcePath(URIRef(self.base + root + "/" + "/".join(segments)), suffix)

    def local_path(self, iri: str) -> str | None:
        """The path of ``iri`` on this service (with its ``#fragment``), or None if not ours."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        document, _, fragment = rest.partition("#")
        root = document.split("/", 1)[0]
        if root not in DEREFERENCEABLE_ROOTS or "/" not in document:
            return None
        return "/" + document + ("#" + fragment if fragment else "")

    def document_iri(self, iri: str) -> str:
        """The IRI without its fragment: the document that describes a hash IRI."""
        return iri.split("#", 1)[0]
