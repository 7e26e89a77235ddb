"""The co-applicant network: who files together.

Two applicant groups are linked when they are both applicants of a document; the edge weight is
the number of such documents. The totals describe the whole network; the drawn part keeps the
`nodes` applicants with the most joint documents (ties: the most documents), the edges between
them, their communities (Louvain modularity, fixed seed) and a 2-D layout (force-directed, fixed
seed), so the same set always draws the same picture.
"""

from __future__ import annotations

from typing import Any

import polars as pl

SEED = 7


def edges_of(applicants: pl.DataFrame) -> pl.DataFrame:
    """(a, b, weight) with a < b over the distinct applicant groups of each document."""
    g = applicants.select("pub_id", "group").unique()
    multi = g.join(g.group_by("pub_id").agg(pl.len().alias("k")).filter(pl.col("k") > 1).select("pub_id"),
                   on="pub_id", how="semi")
    pairs = multi.join(multi, on="pub_id", suffix="_b").filter(pl.col("group") < pl.col("group_b"))
    return (pairs.group_by("group", "group_b").agg(pl.len().alias("weight"))
            .rename({"group": "a", "group_b": "b"}).sort(["weight", "a", "b"], descending=[True, False, False]))


def collaboration(applicants: pl.DataFrame, nodes: int) -> dict[str, Any]:
    import networkx as nx

    edges = edges_of(applicants)
    docs = applicants.select("pub_id", "group").unique().group_by("group").agg(pl.len().alias("documents"))
    strength = (pl.concat([edges.select(pl.col("a").alias("group"), "weight"),
                           edges.select(pl.col("b").alias("group"), "weight")])
                .group_by("group").agg(pl.col("weight").sum().alias("strength")))
    # the most collaborative applicants first (joint documents), then the most prolific
    ranked = (docs.join(strength, on="group").sort(["strength", "documents", "group"],
                                                   descending=[True, True, False]).select("group", "documents"))
    coapplied = applicants.select("pub_id", "group").unique().group_by("pub_id").agg(pl.len().alias("k"))
    totals = {"nodes": int(ranked.height), "edges": int(edges.height),
              "documents_with_coapplicants": int(coapplied.filter(pl.col("k") > 1).height),
              "documents": int(coapplied.height)}
    keep = ranked.head(nodes)
    names = keep["group"].to_list()
    shown = edges.join(keep.select(pl.col("group").alias("a")), on="a", how="semi").join(
        keep.select(pl.col("group").alias("b")), on="b", how="semi")
    graph = nx.Graph()
    graph.add_nodes_from(sorted(names))
    for a, b, w in shown.sort("a", "b").iter_rows():
        graph.add_edge(a, b, weight=int(w))
    communities = _communities(graph)
    pos = layout(graph)
    doc_count = dict(keep.iter_rows())
    node_rows = [{"id": n, "documents": int(doc_count[n]), "community": communities.get(n, 0),
                  "degree": int(graph.degree(n)), "weight": int(graph.degree(n, weight="weight")),
                  "x": round(float(pos[n][0]), 4), "y": round(float(pos[n][1]), 4)} for n in names]
    members: dict[int, list[str]] = {}
    for n in names:
        members.setdefault(communities.get(n, 0), []).append(n)
    return {
        "totals": totals,
        "nodes": node_rows,
        "edges": [{"source": a, "target": b, "weight": int(w)} for a, b, w in shown.iter_rows()],
        "communities": [{"id": k, "size": len(v), "members": v} for k, v in sorted(members.items())],
        "top_pairs": [{"source": a, "target": b, "weight": int(w)} for a, b, w in edges.head(20).iter_rows()],
    }


def layout(graph: Any) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]: each connected part laid out on its own (force-directed, fixed seed)
    in a square whose side grows with its size, the squares packed in rows, largest first; one
    layout of the whole graph would push the parts apart and crush each into a point."""
    import networkx as nx

    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    placed: dict[str, tuple[float, float]] = {}
    row_width = 6.0  # in units of a single node's square
    x = y = row_height = 0.0
    for part in parts:
        side = max(1.0, len(part) ** 0.5 * 1.3)
        if x + side > row_width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        if len(part) == 1:
            local = {part[0]: (0.5, 0.5)}
        else:
            sub = graph.subgraph(part)
            raw = nx.spring_layout(sub, weight="weight", seed=SEED, k=1.6 / len(part) ** 0.5)
            xs = [float(raw[n][0]) for n in part]
            ys = [float(raw[n][1]) for n in part]
            sx, sy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
            local = {n: (0.1 + 0.8 * (float(raw[n][0]) - min(xs)) / sx, 0.1 + 0.8 * (float(raw[n][1]) - min(ys)) / sy)
                     for n in part}
        for n, (lx, ly) in local.items():
            placed[n] = (x + lx * side, -(y + ly * side))
        x += side
        row_height = max(row_height, side)
    if not placed:
        return {}
    span = max(max(abs(p[0]) for p in placed.values()), max(abs(p[1]) for p in placed.values())) or 1.0
    return {n: (p[0] / span, p[1] / span) for n, p in placed.items()}


def _communities(graph: Any) -> dict[str, int]:
    """Node -> community number, 1 for the largest community (ties: the alphabetically first member)."""
    import networkx as nx

    if graph.number_of_edges() == 0:
        parts = [{n} for n in graph.nodes]
    else:
        parts = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    ordered = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))
    return {n: i for i, part in enumerate(ordered, 1) for n in part}
