"""badges.rdf_labelling: blank node labels from first-degree hashes give RDFC-1.0's canonical
N-Quads (pyld's, badges.jsonld) whenever they decide, and say so (None) when N-degree hashing
would have to."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges import jsonld
from badges.rdf_labelling import Labelling

CONTEXT = {"@vocab": "https://example.org/vocab#", "id": "@id", "type": "@type"}
PLAIN_KEYS = {"@vocab": "https://example.org/vocab#"}  # "type" is a plain property here
ISSUER = "did:web:portal.example.jp:issuers:minato-u"


def quads_of(document: dict) -> list:
    dataset = jsonld.dataset(document)
    return [
        (triple, None if graph == "@default" else graph)
        for graph, triples in dataset.items()
        for triple in triples
    ]


def no_slots(triple: dict, graph_name: str | None):
    return [jsonld.serialize_nquad(triple, graph_name)], []


def labelled(document: dict) -> str | None:
    return Labelling(quads_of(document), no_slots).canonical_nquads({})


def address() -> dict:
    return {"type": "Address", "addressCountry": "JP"}


def test_unique_first_degree_hashes_give_the_canonical_labels():
    document = {
        "@context": CONTEXT,
        "id": "https://portal.example.jp/c/1",
        "subject": {"name": "学習者", "result": [{"value": "A"}, {"value": "80"}]},
        "issuer": {"id": ISSUER, "address": address()},
    }
    assert labelled(document) == jsonld.canonical_nquads(document)
    assert "_:c14n3" in labelled(document)


def test_interchangeable_twins_are_labelled_after_the_unique_nodes():
    # The issuer's address and the creator's (the same profile twice): equal first-degree
    # hashes, no other blank node in their quads, so either order writes the same N-Quads.
    document = {
        "@context": CONTEXT,
        "issuer": {"id": ISSUER, "address": address()},
        "achievement": {"name": "DS", "creator": {"id": ISSUER, "address": address()}},
        "other": {"id": "https://x.example/o", "address": address()},
    }
    assert labelled(document) == jsonld.canonical_nquads(document)


def test_twins_that_hold_other_blank_nodes_are_left_to_n_degree_hashing():
    twin = {"type": "Result", "detail": {"value": "A"}}
    document = {"@context": CONTEXT, "result": [twin, dict(twin)]}
    assert labelled(document) is None


words = st.sampled_from(["A", "B", "80", "", "漢", 'q"\\'])


def nodes(depth: int):
    value = st.one_of(
        words,
        st.builds(lambda n: {"@id": f"https://x.example/{n}"}, st.integers(0, 2)),
    )
    if depth > 0:
        value = st.one_of(value, st.deferred(lambda: nodes(depth - 1)))
    properties = st.dictionaries(
        st.sampled_from(["p", "q", "type"]), st.one_of(value, st.lists(value, max_size=3)),
        min_size=1, max_size=3,
    )  # fmt: skip
    # Some nodes named (an IRI subject): blank nodes under them can be interchangeable twins.
    named = st.one_of(st.none(), st.sampled_from(["https://x.example/s", "https://x.example/t"]))
    return st.tuples(named, properties).map(
        lambda pair: {**pair[1], "@id": pair[0]} if pair[0] else pair[1]
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=nodes(3))
def test_whenever_the_labelling_decides_it_matches_the_full_algorithm(body):
    document = {"@context": PLAIN_KEYS, **body}
    result = labelled(document)
    if result is not None:
        assert result == jsonld.canonical_nquads(document)


leaves = st.fixed_dictionaries({"p": st.sampled_from(["A", "B"])}, optional={"q": words})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins=st.lists(leaves, min_size=2, max_size=5), rest=nodes(2))
def test_leaf_twins_among_other_nodes_match_the_full_algorithm(twins, rest):
    # Leaves under one named node: often equal, so interchangeable twins beside other nodes.
    document = {"@context": PLAIN_KEYS, "@id": "https://x.example/s", "q": twins, "r": rest}
    result = labelled(document)
    if result is not None:
        assert result == jsonld.canonical_nquads(document)
