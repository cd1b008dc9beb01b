# Publish one version of a submitted study in one request, which the store runs as one
# transaction: the submission's graph is replaced and the version is added to its history.
# The placeholders (current and history graph IRIs, the entry with its provenance, the version
# record) are filled in by e2kg.submissions.publishing with escaped N-Triples terms.
DROP SILENT GRAPH $current ;
INSERT DATA {
  GRAPH $current {
$triples
  }
  GRAPH $history {
$record
  }
}
