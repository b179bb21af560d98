"""Canonical blank node labels of a filled RDF template, found without a full RDFC-1.0 run.

RDFC-1.0 labels blank nodes in two steps: every node whose *first-degree hash* (SHA-256 of the
sorted quads that mention it, itself written ``_:a`` and any other blank node ``_:z``) is
unique gets ``_:c14nN`` in the order of those hashes; nodes that share a hash are told apart by
N-degree hashing, after all the unique ones. A template's quads are fixed but for a few slot
values, so most first-degree hashes are known before any fill: per fill, only the nodes whose
quads hold a value are hashed, the hashes sorted, and the template's lines, compiled with a
slot per blank node position, filled with the labels and sorted.

What this decides without N-degree hashing, and only that (otherwise :meth:`canonical_nquads`
returns None and the caller runs the full algorithm, pyoxigraph's):

* nodes with a unique first-degree hash;
* a group of nodes sharing one, none of which shares a quad with another blank node. Equal
  first-degree hashes then mean equal quads up to the node's own label (e.g. the same
  ``{"type": "Address", "addressCountry": "JP"}`` under the issuer and under the
  achievement's creator), so the group's members are interchangeable and any order of their
  labels writes the same N-Quads: N-degree hashing could only order them arbitrarily.

Built from pyld's quads by :class:`badges.rdf_template.RdfTemplate`, which compares the result
with pyld's canonical N-Quads on the template itself; its tests compare fills with the full
path.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping

# A slot key of a blank node position in a compiled line (slot keys are (slot, mode) pairs).
BLANK_NODE = "\x00blank node"

Line = tuple[list[str], list]


def fill(line: Line, rendered: Mapping) -> str:
    """A compiled line (fixed pieces, slot keys between them) with the rendered values."""
    pieces, slots = line
    if not slots:
        return pieces[0]
    # Most lines hold one or two values (a blank node label, a slot): concatenated directly,
    # a fill of an OB 3.0 credential's ~110 lines takes half the time of the general join.
    if len(slots) == 1:
        return pieces[0] + rendered[slots[0]] + pieces[1]
    if len(slots) == 2:
        return pieces[0] + rendered[slots[0]] + pieces[1] + rendered[slots[1]] + pieces[2]
    parts = [pieces[0]]
    for piece, key in zip(pieces[1:], slots, strict=True):
        parts.append(rendered[key])
        parts.append(piece)
    return "".join(parts)


def relabel(triple: dict, graph_name: str | None, node: str) -> dict:
    """The triple as the first-degree hash of `node` reads it: `node` _:a, other blank nodes _:z."""

    def label(term: dict) -> dict:
        if term["type"] != "blank node":
            return term
        return {**term, "value": "_:a" if term["value"] == node else "_:z"}

    return {position: label(term) for position, term in triple.items()}


def _first_degree_hash(lines: list[str]) -> str:
    return hashlib.sha256("".join(sorted(lines)).encode("utf-8")).hexdigest()


class Labelling:
    """Compiled once per template from its quads ``[(triple, graph name)]`` (no blank node
    graph names: the template sends those to the full path) and its line compiler."""

    def __init__(self, quads: list, compile_line: Callable[[dict, str | None], Line]):
        quads_of: dict[str, list[int]] = defaultdict(list)
        for index, (triple, _graph) in enumerate(quads):
            for position in ("subject", "object"):
                term = triple[position]
                if term["type"] == "blank node" and index not in quads_of[term["value"]]:
                    quads_of[term["value"]].append(index)
        token = secrets.token_hex(8)
        self._keys = {node: (BLANK_NODE, number) for number, node in enumerate(quads_of)}
        markers = {node: f"_:m{token}{number:06d}" for number, node in enumerate(quads_of)}
        self._static: dict[str, str] = {}  # node → first-degree hash, the same for every fill
        self._dynamic: list[tuple[str, list[Line]]] = []
        self._related: set[str] = set()  # nodes that share a quad with another blank node
        for node, indices in quads_of.items():
            lines = [compile_line(relabel(*quads[i], node), quads[i][1]) for i in indices]
            if any(slots for _pieces, slots in lines):
                self._dynamic.append((node, lines))
            else:
                self._static[node] = _first_degree_hash([pieces[0] for pieces, _ in lines])
            if any(
                quads[i][0][position]["type"] == "blank node"
                and quads[i][0][position]["value"] != node
                for i in indices
                for position in ("subject", "object")
            ):
                self._related.add(node)
        # Nodes with the same predicates and roles, one of which holds a value: a fill may give
        # them equal hashes (two Results with the same grade and score), and the template then
        # leaves the fill to the full path; with the slots involved.
        by_shape: dict[tuple, list[str]] = defaultdict(list)
        for node, indices in quads_of.items():
            by_shape[
                tuple(
                    sorted(
                        (quads[i][0]["predicate"]["value"], quads[i][0]["subject"]["value"] == node)
                        for i in indices
                    )
                )
            ].append(node)
        slots_of = {
            node: {slot for _pieces, found in lines for slot, _mode in found}
            for node, lines in self._dynamic
        }
        self._look_alikes = [
            (nodes, frozenset().union(*(slots_of.get(node, ()) for node in nodes)))
            for nodes in by_shape.values()
            if len(nodes) >= 2 and any(node in slots_of for node in nodes)
        ]
        by_marker = {marker: self._keys[node] for node, marker in markers.items()}
        split = re.compile("(" + "|".join(map(re.escape, by_marker)) + ")") if by_marker else None
        self._lines: list[Line] = []
        self._fixed: list[str] = []
        for triple, graph_name in quads:
            marked = {
                position: {**term, "value": markers[term["value"]]}
                if term["type"] == "blank node"
                else term
                for position, term in triple.items()
            }
            pieces, slots = compile_line(marked, graph_name)
            line = _split_at_markers(pieces, slots, split, by_marker)
            if line[1]:
                self._lines.append(line)
            else:
                self._fixed.append(line[0][0])

    def first_degree_hashes(self, rendered: Mapping) -> dict[str, str]:
        """Each blank node's first-degree hash for the fill whose slot values `rendered` holds
        (rendered as the template's lines take them), by the node's label in the template."""
        hashes = dict(self._static)
        for node, lines in self._dynamic:
            hashes[node] = _first_degree_hash([fill(line, rendered) for line in lines])
        return hashes

    def indistinguishable(self, hashes: dict[str, str]) -> frozenset[str] | None:
        """The slots of look-alike nodes to which these hashes give the same value, or None."""
        for nodes, slots in self._look_alikes:
            if len({hashes[node] for node in nodes}) != len(nodes):
                return slots
        return None

    def canonical_nquads(
        self, rendered: Mapping, hashes: dict[str, str] | None = None
    ) -> str | None:
        """Canonical N-Quads of the fill (`hashes`: its :meth:`first_degree_hashes`, if already
        computed), or None when N-degree hashing would have to decide."""
        if hashes is None:
            hashes = self.first_degree_hashes(rendered)
        by_hash: dict[str, list[str]] = defaultdict(list)
        for node, digest in hashes.items():
            by_hash[digest].append(node)
        order = sorted(by_hash)
        labels: dict[tuple, str] = {}
        for digest in order:
            if len(by_hash[digest]) == 1:
                labels[self._keys[by_hash[digest][0]]] = f"_:c14n{len(labels)}"
        for digest in order:
            nodes = by_hash[digest]
            if len(nodes) > 1:
                if not self._related.isdisjoint(nodes):
                    return None
                for node in nodes:
                    labels[self._keys[node]] = f"_:c14n{len(labels)}"
        values = {**rendered, **labels}
        quads = [fill(line, values) for line in self._lines]
        quads.extend(self._fixed)
        quads.sort()
        return "".join(quads)


def _split_at_markers(pieces: list[str], slots: list, split, by_marker: Mapping) -> Line:
    """A compiled line with each blank node marker in its pieces made a slot of its own."""
    if split is None:
        return pieces, list(slots)
    out_pieces: list[str] = []
    out_slots: list = []
    current = ""
    for index, piece in enumerate(pieces):
        parts = split.split(piece)
        current += parts[0]
        for marker, text in zip(parts[1::2], parts[2::2], strict=True):
            out_pieces.append(current)
            out_slots.append(by_marker[marker])
            current = text
        if index < len(slots):
            out_pieces.append(current)
            out_slots.append(slots[index])
            current = ""
    out_pieces.append(current)
    return out_pieces, out_slots
