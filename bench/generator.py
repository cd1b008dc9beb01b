"""Synthetic graphs shaped like graph/, deterministic from a seed, at any size, as N-Quads.

    .venv/bin/python bench/generator.py --triples 100000 [--seed 2012] -o bench/data/100k.nq
    .venv/bin/python bench/generator.py --triples 1000000 --check-every 50   # validate a sample

The file holds the ontology and concept schemes of this repository (parsed from ontology/, each
file in its own named graph, so departments, roles and periods are the real ones) and generated
instance data in the named graphs of "source files" the way ``e2kg load`` names them
(``https://w3id.org/e2kg/source/graph/<path>``):

- ``graph/agents/*.ttl``: publishers and companies (``schema:Organization``), authors of quotes
  (``schema:Person``), countries;
- per study ``graph/studies/<slug>.ttl``: the report, its Data Cube data set, findings
  (``qb:Observation``, ``observation/{study}_{role}_{department}``) and a non-listing, each with its
  evidence (``oa:SpecificResource``, ``oa:exact`` a sentence of a passage);
- per study ``graph/articles/<slug>.ttl`` (the blog post citing it, a quote, sometimes a
  reverse-mentoring programme) and ``graph/passages/<slug>.ttl`` (German paragraphs, one
  ``e2kg:Passage`` each, holding the evidence sentences).

Every study block references only itself and the agents, so a block validates on its own with the
ontology and the agents as context: ``--check-every N`` validates every N-th block that way
(``validate_graph`` with the block's subjects as focus nodes, profile ``graph``) and fails on the
first violation. The same seed and size give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "https://w3id.org/e2kg/source/"
ID = "https://w3id.org/e2kg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
QB = "http://purl.org/linked-data/cube#"
CITO = "http://purl.org/spar/cito/"
FABIO = "http://purl.org/spar/fabio/"
SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
UNIT = "http://qudt.org/vocab/unit/"
E2KG = "https://w3id.org/e2kg/def/core#"

DEPARTMENTS = {
    "hr": ("die Personalabteilung", "HR"),
    "it": ("die IT", "IT"),
    "marketing": ("das Marketing", "marketing"),
    "corporate-communications": ("die Unternehmenskommunikation", "corporate communications"),
    "internal-communications": ("die interne Kommunikation", "internal communications"),
}
ROLES = {
    "leading": ("führt die Einführung", "leading the introduction"),
    "integrating": (
        "unterstützt die Integration sozialer Techniken",
        "integrating social technologies",
    ),
    "using": ("nutzt soziale Techniken", "using social technologies"),
}
QUALIFIERS = {
    "about": "ca.",
    "around": "rund",
    "just-under": "knapp",
    "slightly-over": "etwas über",
}
TOPICS = (
    "enterprise-2-0", "social-business", "social-collaboration", "drivers-of-enterprise-2-0",
    "social-media", "corporate-communications", "digital-transformation", "employer-branding",
)  # fmt: skip
COUNTRIES = {"de": ("Deutschland", "Germany"), "us": ("USA", "United States"),
             "at": ("Österreich", "Austria"), "ch": ("Schweiz", "Switzerland")}  # fmt: skip
STATUSES = ("started-or-integrating", "cited-example")
FILLER = (
    "Unternehmen", "Einführung", "Mitarbeiter", "Führungskräfte", "Abteilung", "sozialen", "Techniken",
    "Zusammenarbeit", "Kommunikation", "Ergebnis", "befragten", "größer", "Verantwortung", "Rolle",
    "Beteiligung", "Fachbereiche", "Plattform", "Austausch", "Vernetzung", "Veränderung", "Kultur",
)  # fmt: skip
RARE_WORD = "Wissensmanagement"
"""Occurs in about one passage in 40: the text-filter query of the benchmark looks for it."""
TRIPLES_PER_STUDY = 210
"""About how many triples one study block makes (used to pick the number of blocks)."""


def iri(value: str) -> str:
    return f"<{value}>"


def text(value: str, language: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{datatype}>'


@dataclass
class Block:
    """The quads of one unit (a study with its article and passages, or the agents)."""

    lines: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    """IRIs (without <>) of the subjects, the focus nodes when the block is validated."""

    def add(self, graph: str, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {iri(predicate)} {obj} {iri(graph)} .\n")
        if subject.startswith("<"):
            self.subjects.add(subject[1:-1])


@dataclass(frozen=True)
class Names:
    """What the benchmark needs to know about a generated file: resources to look up, sizes."""

    studies: list[str]
    findings: list[str]
    triples: int


def source_graph(path: str) -> str:
    return f"{SOURCE}{path}"


def german_sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(FILLER) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def agents(companies: int, people: int) -> Block:
    """Organisations, people and countries every study block refers to."""
    block = Block()
    graph = source_graph("graph/agents/organizations.ttl")
    for index in range(companies):
        subject = iri(f"{ID}organization/gen-company-{index:05d}")
        block.add(graph, subject, RDF + "type", iri(SCHEMA + "Organization"))
        block.add(graph, subject, SCHEMA + "name", text(f"Firma {index}", "de"))
        block.add(graph, subject, SCHEMA + "name", text(f"Company {index}", "en"))
        country = list(COUNTRIES)[index % len(COUNTRIES)]
        block.add(graph, subject, E2KG + "country", iri(f"{ID}country/{country}"))
    graph = source_graph("graph/agents/people.ttl")
    for index in range(people):
        subject = iri(f"{ID}person/gen-person-{index:05d}")
        block.add(graph, subject, RDF + "type", iri(SCHEMA + "Person"))
        block.add(graph, subject, SCHEMA + "name", text(f"Person {index}", "de"))
        block.add(graph, subject, SCHEMA + "name", text(f"Person {index}", "en"))
    graph = source_graph("graph/agents/places.ttl")
    for code, (german, english) in COUNTRIES.items():
        subject = iri(f"{ID}country/{code}")
        block.add(graph, subject, RDF + "type", iri(SCHEMA + "Country"))
        block.add(graph, subject, SCHEMA + "name", text(german, "de"))
        block.add(graph, subject, SCHEMA + "name", text(english, "en"))
        block.add(graph, subject, SCHEMA + "identifier", text(code.upper()))
    return block


def share_text(share: float) -> str:
    """The share as the German text writes it: 35 or 35,5."""
    return f"{share:.1f}".removesuffix(".0").replace(".", ",")


def study_block(
    index: int, rng: random.Random, companies: int, people: int, findings: int | None = None
) -> Block:
    """One study with findings, a non-listing, evidence, its article, passages and a quote."""
    block = Block()
    year = rng.randint(2005, 2015)
    slug = f"gen-{index:06d}-{year}"
    name_de, name_en = f"Studie {index} aus {year}", f"Study {index} of {year}"
    studies = source_graph(f"graph/studies/{slug}.ttl")
    articles = source_graph(f"graph/articles/{slug}.ttl")
    passages = source_graph(f"graph/passages/{slug}.ttl")
    study = iri(f"{ID}study/{slug}")
    dataset = iri(f"{ID}dataset/{slug}")
    article = iri(f"{ID}article/{slug}")
    publisher = iri(f"{ID}organization/gen-company-{rng.randrange(companies):05d}")
    topic = iri(f"{ID}concept/topic/{rng.choice(TOPICS)}")

    block.add(studies, study, RDF + "type", iri(SCHEMA + "Report"))
    block.add(studies, study, RDF + "type", iri(FABIO + "ReportDocument"))
    block.add(studies, study, SCHEMA + "name", text(name_de, "de"))
    block.add(studies, study, SCHEMA + "name", text(name_en, "en"))
    block.add(studies, study, SCHEMA + "publisher", publisher)
    block.add(studies, study, SCHEMA + "datePublished", typed(str(year), XSD + "gYear"))
    block.add(studies, study, SCHEMA + "about", topic)
    block.add(studies, dataset, RDF + "type", iri(QB + "DataSet"))
    block.add(studies, dataset, RDFS + "label", text(f"Befunde der {name_de}", "de"))
    block.add(studies, dataset, RDFS + "label", text(f"Findings of the {name_en}", "en"))
    block.add(studies, dataset, QB + "structure", iri(E2KG + "share-structure"))
    block.add(studies, dataset, DCT + "source", study)
    block.add(studies, dataset, SDMX_ATTRIBUTE + "unitMeasure", iri(UNIT + "PERCENT"))

    block.add(articles, article, RDF + "type", iri(SCHEMA + "BlogPosting"))
    block.add(articles, article, SCHEMA + "headline", text(f"Was die {name_de} zeigt", "de"))
    block.add(articles, article, RDFS + "label", text(f"Was die {name_de} zeigt", "de"))
    block.add(articles, article, RDFS + "label", text(f"What the {name_en} shows", "en"))
    block.add(articles, article, SCHEMA + "inLanguage", text("de"))
    block.add(articles, article, SCHEMA + "publisher", publisher)
    block.add(articles, article, SCHEMA + "datePublished", typed(str(year + 1), XSD + "gYear"))
    block.add(articles, article, SCHEMA + "about", topic)
    block.add(articles, article, CITO + "citesAsDataSource", study)

    position = 0

    def passage(key: str, sentence: str) -> str:
        nonlocal position
        position += 1
        subject = iri(f"{ID}passage/{slug}--{key}")
        filler = german_sentence(rng, rng.randint(8, 20))
        if rng.random() < 0.025:
            filler = f"{RARE_WORD} und {filler}"
        block.add(passages, subject, RDF + "type", iri(E2KG + "Passage"))
        block.add(passages, subject, SCHEMA + "isPartOf", article)
        block.add(passages, subject, SCHEMA + "position", typed(str(position), XSD + "integer"))
        block.add(passages, subject, SCHEMA + "inLanguage", text("de"))
        block.add(passages, subject, SCHEMA + "text", text(f"{sentence} {filler}", "de"))
        return subject

    def evidence(key: str, sentence: str) -> str:
        subject = iri(f"{ID}evidence/{slug}_{key}")
        selector = f"_:s{index}x{key.replace('-', 'x').replace('_', 'y')}"
        scope = passage(key, sentence)
        block.add(studies, subject, RDF + "type", iri(OA + "SpecificResource"))
        block.add(studies, subject, OA + "hasSource", article)
        block.add(studies, subject, OA + "hasScope", scope)
        block.add(studies, subject, OA + "hasSelector", selector)
        block.add(studies, selector, RDF + "type", iri(OA + "TextQuoteSelector"))
        block.add(studies, selector, OA + "exact", text(sentence, "de"))
        return subject

    pairs = [(d, r) for d in DEPARTMENTS for r in ROLES]
    rng.shuffle(pairs)
    count = rng.randint(4, 8)
    for rank, (department, role) in enumerate(pairs[: findings or count], start=1):
        key = f"{role}_{department}"
        share = round(rng.uniform(2, 80), rng.choice((0, 1)))
        department_de, department_en = DEPARTMENTS[department]
        role_de, role_en = ROLES[role]
        qualifier = rng.choice((None, None, *QUALIFIERS))
        said = f"{QUALIFIERS[qualifier]} " if qualifier else ""
        sentence = (
            f"In der {name_de} {role_de.split()[0]} {department_de} mit {said}{share_text(share)}% "
            f"{' '.join(role_de.split()[1:])}."
        )
        finding = iri(f"{ID}observation/{slug}_{key}")
        label = f"{name_de}: {department_en}, {role_en}, {share_text(share)} %"
        block.add(studies, finding, RDF + "type", iri(QB + "Observation"))
        block.add(studies, finding, RDFS + "label", text(label, "de"))
        block.add(studies, finding, RDFS + "label", text(label.replace("Studie", "Study"), "en"))
        block.add(studies, finding, QB + "dataSet", dataset)
        block.add(
            studies, finding, E2KG + "department", iri(f"{ID}concept/department/{department}")
        )
        block.add(studies, finding, E2KG + "role", iri(f"{ID}concept/role/{role}"))
        block.add(studies, finding, E2KG + "share", typed(f"{share:.1f}", XSD + "decimal"))
        if qualifier:
            block.add(
                studies, finding, E2KG + "qualifier", iri(f"{ID}concept/qualifier/{qualifier}")
            )
        if rank <= 2:
            block.add(studies, finding, E2KG + "rank", typed(str(rank), XSD + "positiveInteger"))
        if rng.random() < 0.5:
            block.add(studies, finding, E2KG + "assessment", text("spielt eine Rolle", "de"))
            block.add(studies, finding, E2KG + "assessment", text("plays a role", "en"))
        block.add(studies, finding, PROV + "hadPrimarySource", study)
        block.add(studies, finding, PROV + "wasDerivedFrom", evidence(key, sentence))

    department, role = pairs[-1]
    key = f"{role}_{department}"
    sentence = f"Die {name_de} führt {DEPARTMENTS[department][0]} nicht auf."
    listing = iri(f"{ID}non-listing/{slug}_{key}")
    block.add(studies, listing, RDF + "type", iri(E2KG + "NonListing"))
    block.add(studies, listing, RDFS + "label", text(f"{name_de}: nicht genannt", "de"))
    block.add(studies, listing, RDFS + "label", text(f"{name_en}: not listed", "en"))
    block.add(studies, listing, E2KG + "department", iri(f"{ID}concept/department/{department}"))
    block.add(studies, listing, E2KG + "role", iri(f"{ID}concept/role/{role}"))
    block.add(studies, listing, PROV + "hadPrimarySource", study)
    block.add(studies, listing, PROV + "wasDerivedFrom", evidence(f"not_{key}", sentence))

    quote = iri(f"{ID}quote/{slug}")
    said = f"Ohne die Fachbereiche gelingt die Einführung nicht, sagt Person {index % people}."
    block.add(articles, quote, RDF + "type", iri(SCHEMA + "Quotation"))
    block.add(articles, quote, RDFS + "label", text(f"Zitat aus der {name_de}", "de"))
    block.add(articles, quote, RDFS + "label", text(f"Quote from the {name_en}", "en"))
    block.add(articles, quote, SCHEMA + "text", text(said, "de"))
    block.add(articles, quote, SCHEMA + "inLanguage", text("de"))
    block.add(
        articles, quote, SCHEMA + "creator", iri(f"{ID}person/gen-person-{index % people:05d}")
    )
    block.add(articles, quote, SCHEMA + "isPartOf", article)
    block.add(articles, quote, PROV + "wasDerivedFrom", evidence("quote", said))

    if index % 3 == 0:
        company = index // 3 % companies
        programme = iri(f"{ID}programme/reverse-mentoring-gen-{index:06d}")
        said = f"Auch Firma {company} hat ein Reverse-Mentoring-Programm gestartet."
        block.add(articles, programme, RDF + "type", iri(E2KG + "ReverseMentoringProgramme"))
        block.add(
            articles,
            programme,
            SCHEMA + "name",
            text(f"Reverse Mentoring bei Firma {company}", "de"),
        )
        block.add(
            articles,
            programme,
            SCHEMA + "name",
            text(f"Reverse mentoring at Company {company}", "en"),
        )
        block.add(
            articles,
            programme,
            SCHEMA + "provider",
            iri(f"{ID}organization/gen-company-{company:05d}"),
        )
        country = list(COUNTRIES)[company % len(COUNTRIES)]
        block.add(articles, programme, E2KG + "country", iri(f"{ID}country/{country}"))
        status = STATUSES[index % 2]
        block.add(
            articles,
            programme,
            E2KG + "programmeStatus",
            iri(f"{ID}concept/programme-status/{status}"),
        )
        block.add(
            articles, programme, SCHEMA + "about", iri(f"{ID}concept/topic/reverse-mentoring")
        )
        block.add(articles, programme, PROV + "wasDerivedFrom", evidence("programme", said))
    return block


def ontology_quads() -> list[str]:
    """ontology/**/*.ttl as N-Quads, each file in its named graph ``source/ontology/<path>``."""
    import pyoxigraph  # imported here: the generator itself needs nothing but the standard library

    lines: list[str] = []
    blank: dict[str, str] = {}  # pyoxigraph's random blank node ids -> stable labels

    def term(node: object) -> str:
        if isinstance(node, pyoxigraph.BlankNode):
            return blank.setdefault(node.value, f"_:o{len(blank)}")
        return str(node)

    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        graph = pyoxigraph.NamedNode(source_graph(path.relative_to(ROOT).as_posix()))
        for triple in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE):
            subject, obj = term(triple.subject), term(triple.object)
            lines.append(f"{subject} {triple.predicate} {obj} {graph} .\n")
    return lines


def blocks(triples: int, seed: int, ontology: int = 0) -> Iterator[tuple[int, Block]]:
    """The agents (index -1), then the study blocks: about ``triples`` with ``ontology`` ones."""
    studies = max(1, (triples - ontology) // TRIPLES_PER_STUDY)
    companies, people = max(4, studies // 5), max(2, studies // 10)
    yield -1, agents(companies, people)
    for index in range(studies):
        yield index, study_block(index, random.Random(f"{seed}/{index}"), companies, people)


def generate(path: Path, triples: int, seed: int = 2012, check_every: int = 0) -> Names:
    """Write the file; validate every ``check_every``-th study block if not 0 (raises on failure)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ontology = ontology_quads()
    studies: list[str] = []
    findings: list[str] = []
    written = 0
    context: list[str] = list(ontology)
    with path.open("w", encoding="utf-8") as output:
        output.writelines(ontology)
        written += len(ontology)
        for index, block in blocks(triples, seed, len(ontology)):
            output.writelines(block.lines)
            written += len(block.lines)
            if index < 0:
                context.extend(block.lines)
                continue
            studies.extend(s for s in block.subjects if "/id/study/" in s)
            findings.extend(s for s in block.subjects if "/id/observation/" in s)
            if check_every and index % check_every == 0:
                check_block(block, context)
    return Names(studies=sorted(studies), findings=sorted(findings), triples=written)


def check_block(block: Block, context: list[str]) -> None:
    """Validate one study block with the ontology and agents as context; raise on any violation."""
    from rdflib import URIRef

    from e2kg.sources import Profile
    from e2kg.validation import load_shapes, validate_graph

    data = parse_quads(context + block.lines)
    shapes = _shapes_cache.get("graph")
    if shapes is None:
        shapes = _shapes_cache["graph"] = load_shapes(ROOT, Profile.GRAPH)
    report = validate_graph(
        data, shapes, profile=Profile.GRAPH, focus_nodes=[URIRef(s) for s in sorted(block.subjects)]
    )
    problems = [r for r in report.results if r.severity.value == "Violation"]
    if problems:
        first = problems[0]
        raise AssertionError(
            f"{len(problems)} violations, first: {first.focus_node}: {first.message}"
        )


_shapes_cache: dict[str, Graph] = {}


def parse_quads(lines: list[str]) -> Graph:
    """The quads as one rdflib Graph (the union of their named graphs)."""
    from e2kg.parsing import new_graph

    graph = new_graph()
    graph.parse(data="".join(line.rsplit(" <", 1)[0] + " .\n" for line in lines), format="nt")
    return graph


def new_entry(article: str, seed: int = 7) -> str:
    """A typical new study entry as N-Triples (which is Turtle): about 50 triples.

    A study with two findings and a non-listing, each with its evidence sentence in ``article`` (an
    existing article of the generated file), published by ``gen-company-00000`` (in every file).
    Only the study's own graph is kept, without ``oa:hasScope`` (the passages are the article's).
    """
    block = study_block(999_999, random.Random(seed), companies=1, people=1, findings=2)
    own = re.compile(r"<[^>]*/id/article/gen-999999-\d+>")
    lines = [
        line.rsplit(" <", 1)[0] + " .\n"
        for line in block.lines
        if "/graph/studies/" in line and f"<{OA}hasScope>" not in line
    ]
    return "".join(
        own.sub(f"<{article}>", line) if f"<{OA}hasSource>" in line else line for line in lines
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--check-every", type=int, default=0, help="validate every N-th study")
    parser.add_argument("-o", "--output", type=Path, default=None)
    options = parser.parse_args(argv)
    output = options.output or ROOT / "bench" / "data" / f"{options.triples}-{options.seed}.nq"
    started = time.monotonic()
    names = generate(output, options.triples, options.seed, options.check_every)
    print(
        f"{output}: {names.triples} quads, {len(names.studies)} studies, "
        f"{len(names.findings)} findings in {time.monotonic() - started:.1f} s"
        + (f"; every {options.check_every}th study validated" if options.check_every else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
