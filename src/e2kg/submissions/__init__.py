"""New study entries: safe parsing, validation in the context of the store, publishing with history.

``formats`` reads an uploaded entry without fetching anything remote, ``context`` validates it
against the study-entry shapes together with what the store already holds, ``publishing`` stores a
conforming entry in a named graph of its own (with provenance and a version history), ``gate``
validates the studies a SPARQL Update or Graph Store write would touch before it is applied, and
``form`` turns the fields of the HTML form into an entry.
"""
