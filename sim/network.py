"""The network (docs/design.md §3): firms tied by field and region, supervisory bodies to members.

One networkx graph holds firms (nodes ``0..F-1``) and supervisory bodies (nodes ``F..F+S-1``);
Mesa's ``Network`` space wraps it and firms stand on their nodes (trainees on their employer's).
Every random choice is drawn from the generator handed in, so one seed gives one network.

Trainee ties (co-workers and compatriots) are kept as a fixed-width array of contacts per person
(``People.contacts``), not as graph edges: at full scale they would be millions of networkx edges.
Co-workers are implicit (same employer row). ``trainee_tie_graph`` exports them for small models.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from numba import njit

from sim.geography import Geography
from sim.processes.codes import ARRAY_HELPER, of_kind


def _group_index(keys: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members of each group as one sorted array with start/end offsets (a CSR index).

    The order is that of a stable sort of ``keys`` (members of a group in their order in
    ``keys``), made by a compiled counting sort: two passes, no comparisons.
    """
    return _counting_sort(np.asarray(keys, dtype=np.int64), n_groups)


@njit(cache=True)
def _counting_sort(keys, n_groups):  # pragma: no cover - compiled
    """(order, starts, ends): a stable sort of ``keys`` (0 <= key < n_groups) and each group's offsets in it."""
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(keys.shape[0]):
        counts[keys[i]] += 1
    ends = np.cumsum(counts)
    starts = ends - counts
    order = np.empty(keys.shape[0], dtype=np.int64)
    next_slot = starts.copy()
    for i in range(keys.shape[0]):
        order[next_slot[keys[i]]] = i
        next_slot[keys[i]] += 1
    return order, starts, ends


def _pick_in_groups(
    rng: np.random.Generator, order: np.ndarray, starts: np.ndarray, ends: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """One random member of each requested group (-1 where the group is empty)."""
    size = ends[groups] - starts[groups]
    offset = (rng.random(len(groups)) * np.maximum(size, 1)).astype(np.int64)
    picked = order[np.minimum(starts[groups] + offset, len(order) - 1)] if len(order) else np.full(len(groups), -1)
    return np.where(size > 0, picked, -1)


def firm_ties(
    rng: np.random.Generator,
    geo: Geography,
    firm_pref: np.ndarray,
    firm_field: np.ndarray,
    n_fields: int,
    same_prefecture: int,
    adjacent: int,
    metro: int,
) -> np.ndarray:
    """Undirected firm-firm edges (E, 2), same field throughout.

    Each firm draws ``same_prefecture`` ties to firms of its field in its prefecture, ``adjacent``
    to firms of its field in a random neighbouring prefecture and ``metro`` to firms of its field
    in a random metro prefecture: the channels along which a legal transfer can move.
    """
    n = len(firm_pref)
    key = firm_field.astype(np.int64) * geo.n + firm_pref
    order, starts, ends = _group_index(key, n_fields * geo.n)
    sources, targets = [], []
    firms = np.arange(n)
    for _ in range(same_prefecture):
        sources.append(firms)
        targets.append(_pick_in_groups(rng, order, starts, ends, key))
    # Each prefecture's neighbours in a padded table (itself if it has none: an island).
    adj_lists = [a if a else [p] for p, a in enumerate(geo.adjacency)]
    adj_len = np.array([len(a) for a in adj_lists], dtype=np.int64)
    adj = np.zeros((len(adj_lists), int(adj_len.max())), dtype=np.int64)
    for p, a in enumerate(adj_lists):
        adj[p, : len(a)] = a
    for _ in range(adjacent):
        choice = adj[firm_pref, (rng.random(n) * adj_len[firm_pref]).astype(np.int64)]  # a uniform neighbour each
        sources.append(firms)
        targets.append(_pick_in_groups(rng, order, starts, ends, firm_field.astype(np.int64) * geo.n + choice))
    metro_prefs = np.flatnonzero(geo.metro)
    for _ in range(metro):
        choice = metro_prefs[rng.integers(0, len(metro_prefs), n)]
        sources.append(firms)
        targets.append(_pick_in_groups(rng, order, starts, ends, firm_field.astype(np.int64) * geo.n + choice))
    if not sources:
        return np.zeros((0, 2), dtype=np.int64)
    edges = np.stack([np.concatenate(sources), np.concatenate(targets)], axis=1)
    edges = edges[(edges[:, 1] >= 0) & (edges[:, 0] != edges[:, 1])]
    return unique_edges(np.sort(edges, axis=1), n)


def unique_edges(edges: np.ndarray, n: int) -> np.ndarray:
    """The distinct rows of ``edges`` (E, 2) over ``n`` nodes in lexicographic order, as
    ``np.unique(edges, axis=0)`` gives them, from one integer key a row: a sort of integers
    instead of rows, several times faster at full scale."""
    key = np.unique(edges[:, 0].astype(np.int64) * n + edges[:, 1])
    return np.stack([key // n, key % n], axis=1).astype(edges.dtype, copy=False)


def csr_neighbours(n: int, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compressed neighbour lists (indptr, indices) of an undirected edge list over ``n`` nodes."""
    both = np.concatenate([edges, edges[:, ::-1]]) if len(edges) else np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(both[:, 0].astype(np.int64) * n + both[:, 1], kind="stable")  # = np.lexsort((both[:, 1], both[:, 0]))
    both = both[order]
    counts = np.bincount(both[:, 0], minlength=n) if len(both) else np.zeros(n, dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return indptr, both[:, 1].astype(np.int32)


def build_graph(firm_pref: np.ndarray, firm_field: np.ndarray, firm_sb: np.ndarray, n_sb: int, edges: np.ndarray) -> nx.Graph:
    """The firm and supervisory-body graph with node attributes ``kind``, ``pref``, ``field``."""
    n_firms = len(firm_pref)
    graph = nx.Graph()
    graph.add_nodes_from(
        (i, {"kind": "firm", "pref": int(p), "field": int(f)}) for i, (p, f) in enumerate(zip(firm_pref, firm_field))
    )
    graph.add_nodes_from((n_firms + j, {"kind": "supervisory_body"}) for j in range(n_sb))
    graph.add_edges_from(map(tuple, edges.tolist()), kind="firm_tie")
    graph.add_edges_from(((i, n_firms + int(s)) for i, s in enumerate(firm_sb)), kind="membership")
    return graph


class ContactPool:
    """People who can become a newcomer's compatriot contacts, indexed by (origin, prefecture).

    One sort by (origin, prefecture) serves both kinds of tie: each origin's members form one
    contiguous block of the order, so "a compatriot anywhere" is a draw within that block.
    ``members`` holds the pool's rows in that order (the pool gathered by the sort's order once,
    so a draw reads a member's row directly).
    """

    def __init__(self, pool: np.ndarray, origin: np.ndarray, pref: np.ndarray, n_origins: int, n_prefs: int) -> None:
        key = origin.astype(np.int64) * n_prefs + pref
        order, starts, ends = _group_index(key, n_origins * n_prefs)
        self._index(np.asarray(pool, dtype=np.int64)[order], starts, ends, n_prefs)

    @classmethod
    def of_people_in_japan(cls, status: np.ndarray, origin: np.ndarray, pref: np.ndarray, in_japan: int, n_origins: int,
                           n_prefs: int) -> ContactPool:
        """The pool of everyone in Japan (status of the kind ``in_japan``, a ``codes.STATUS_KINDS``
        mask): the same index as ``ContactPool(flatnonzero(in Japan), ...)``, built by one compiled
        counting sort over the people's columns (no list of rows, no gathers, no keys over everyone)."""
        pool = cls.__new__(cls)
        members, starts, ends = _people_by_origin_and_prefecture(status, origin, pref, in_japan, n_origins, n_prefs)
        pool._index(members, starts, ends, n_prefs)
        return pool

    def _index(self, members: np.ndarray, starts: np.ndarray, ends: np.ndarray, n_prefs: int) -> None:
        self.members = members
        self.n_prefs = n_prefs
        self.l_start, self.l_end = starts, ends
        self.o_start, self.o_end = starts[::n_prefs], ends[n_prefs - 1 :: n_prefs]

    def draw(
        self, rng: np.random.Generator, origin: np.ndarray, pref: np.ndarray, k: int, share_same_prefecture: float
    ) -> np.ndarray:
        """Contacts (len(origin), k) for newcomers of these origins and prefectures; -1 for none.

        Each tie goes, with probability ``share_same_prefecture``, to a compatriot in the
        newcomer's prefecture, else to a compatriot anywhere (Murayama and Nagayasu 2020:
        newcomers go where compatriots concentrate). For each tie, three uniform draws per
        newcomer, in this order: local or not, the local pick, the pick anywhere (all drawn
        whether used or not, so the stream does not depend on the pool).
        """
        out = np.full((len(origin), k), -1, dtype=np.int32)
        if k == 0 or len(self.members) == 0 or len(origin) == 0:
            return out
        want_local = origin.astype(np.int64) * self.n_prefs + pref
        want_origin = origin.astype(np.int64)
        for j in range(k):
            u_local = rng.random(len(origin))
            u_pick_local = rng.random(len(origin))
            u_pick_anywhere = rng.random(len(origin))
            _draw_tie(self.members, self.l_start, self.l_end, self.o_start, self.o_end, want_local, want_origin,
                      u_local, u_pick_local, u_pick_anywhere, share_same_prefecture, out[:, j])
        return out


@njit(**ARRAY_HELPER)
def _member_of_group(members, starts, ends, group, u):  # pragma: no cover - compiled
    """The member of ``group`` that uniform draw ``u`` picks (``_pick_in_groups`` for one); -1 if the group is empty."""
    size = ends[group] - starts[group]
    if size <= 0:
        return -1
    return members[min(starts[group] + np.int64(u * size), members.shape[0] - 1)]


@njit(cache=True)
def _draw_tie(members, l_start, l_end, o_start, o_end, want_local, want_origin, u_local, u_pick_local, u_pick_anywhere,
              share_same_prefecture, out):  # pragma: no cover - compiled
    """Into ``out``: one tie per newcomer, a compatriot in their prefecture if ``u_local`` says so
    and there is one, else a compatriot anywhere (-1: none)."""
    for i in range(out.shape[0]):
        pick = -1
        if u_local[i] < share_same_prefecture:
            pick = _member_of_group(members, l_start, l_end, want_local[i], u_pick_local[i])
        if pick < 0:
            pick = _member_of_group(members, o_start, o_end, want_origin[i], u_pick_anywhere[i])
        out[i] = pick


@njit(cache=True)
def _people_by_origin_and_prefecture(status, origin, pref, in_japan, n_origins, n_prefs):  # pragma: no cover - compiled
    """(members, starts, ends): the rows of the people in Japan in a stable counting sort by
    (origin, prefecture), and each group's offsets in it (``_counting_sort`` fused with the choice
    of rows and the keys)."""
    n_groups = n_origins * n_prefs
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(status.shape[0]):
        if of_kind(in_japan, status[i]):
            counts[origin[i] * n_prefs + pref[i]] += 1
    ends = np.cumsum(counts)
    starts = ends - counts
    members = np.empty(ends[-1] if n_groups > 0 else 0, dtype=np.int64)
    next_slot = starts.copy()
    for i in range(status.shape[0]):
        if of_kind(in_japan, status[i]):
            g = origin[i] * n_prefs + pref[i]
            members[next_slot[g]] = i
            next_slot[g] += 1
    return members, starts, ends
