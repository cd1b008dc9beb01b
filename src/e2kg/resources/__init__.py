"""Resources of the graph as people and linked-data clients see them: IRIs under the service's base,
descriptions, labels in a language, views per main type, and the dataset version that keys caching.

Everything reads through the Store interface (SPARQL in ``queries/resources/*.rq``), so it works on
every backend, including a remote one.
"""
