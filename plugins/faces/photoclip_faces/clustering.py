"""Grouping faces into people: plain functions on arrays, no storage, no GUI.

Two rules, both on dlib's 128-d encodings (Euclidean distance):

- :func:`assign`: a new face joins the person whose faces are, on average, nearest, when that
  average is within :data:`ASSIGN_DISTANCE` (the confident match) and the user never said the
  face is not that person; otherwise it waits for clustering.
- :func:`cluster`: average-linkage agglomerative clustering up to :data:`CLUSTER_DISTANCE`,
  with the user's decisions as constraints it never breaks: the faces of a person the user
  named or merged stay together and never merge with another such person; a face the user said
  is "not P" is never grouped with P.

Average linkage is used rather than dlib's Chinese whispers: on the faces dataset Chinese
whispers at 0.5 reached a pairwise precision of 0.84 (sisters and look-alikes chain into one
group); average linkage at 0.51 keeps 1.0 (docs/bench/faces.txt).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set

import numpy as np

#: Average distance below which clusters merge (measured on the faces dataset: 0.51 keeps a
#: pairwise precision of 1.0; 0.52 lets two look-alike identities merge).
CLUSTER_DISTANCE = 0.51
#: Average distance to a person's faces below which a new face (or a group of at most
#: SMALL_GROUP faces left alone by the strict merge) joins that person (measured: 0.55 keeps
#: the precision at 1.0 and lifts the recall from 0.90 to about 0.96).
ASSIGN_DISTANCE = 0.55
SMALL_GROUP = 2
#: A face outside every named person whose average distance to one is below this (and above
#: ASSIGN_DISTANCE, where it joins by itself) is suggested for that person (dlib's own
#: same-person threshold is 0.6).
SUGGEST_DISTANCE = 0.6
#: Above this many faces a full clustering would need too much memory (n x n distances);
#: the faces beyond it wait (newest last) for the next clustering.
MAX_CLUSTER_FACES = 6000


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) Euclidean distances between encodings."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(sq, 0))


def assign(
    vectors: np.ndarray,
    known: np.ndarray,
    known_person: Sequence[int],
    *,
    rejected: Sequence[Set[int]] = (),
    threshold: float = ASSIGN_DISTANCE,
    distinct: bool = False,
) -> list[int | None]:
    """For each of ``vectors``, the person (of ``known_person``, one per row of ``known``)
    whose faces are nearest on average, if within ``threshold`` and not in that face's
    ``rejected`` set; else None. ``distinct``: the vectors are faces of one photo, so each
    person goes to one of them at most (the nearest first)."""
    out: list[int | None] = [None] * len(vectors)
    if not len(vectors) or not len(known):
        return out
    persons = np.asarray(known_person)
    ids, inverse = np.unique(persons, return_inverse=True)
    d = distances(vectors, known)
    sums = np.zeros((len(vectors), len(ids)))
    np.add.at(sums.T, inverse, d.T)
    mean = sums / np.bincount(inverse, minlength=len(ids))[None, :]
    taken: set[int] = set()
    for k in np.argsort(mean.min(axis=1)) if distinct else range(len(vectors)):
        no = rejected[k] if k < len(rejected) else set()
        for j in np.argsort(mean[k]):
            if mean[k, j] > threshold:
                break
            if int(ids[j]) not in no and int(ids[j]) not in taken:
                out[k] = int(ids[j])
                if distinct:
                    taken.add(int(ids[j]))
                break
    return out


def cluster(
    vectors: np.ndarray,
    *,
    locked: Sequence[int | None] = (),
    rejected: Sequence[Set[int]] = (),
    threshold: float = CLUSTER_DISTANCE,
    attach: float | None = None,
    photos: Sequence[int] = (),
) -> list[int]:
    """Cluster labels (0..k-1) of ``vectors`` by constrained average linkage.

    ``photos[i]``: the photo face i is in; two faces of one photo are two people, so clusters
    holding faces of the same photo never merge (and a small group never joins such a group).

    ``locked[i]``: the person face i was given by the user (None: free); faces locked to one
    person start as one cluster, and clusters locked to different persons never merge.
    ``rejected[i]``: persons face i is not; its cluster never merges with theirs.
    Then groups of at most :data:`SMALL_GROUP` free faces join the nearest larger group if
    their average distance to it is within ``attach`` (default :data:`ASSIGN_DISTANCE`).
    """
    attach = ASSIGN_DISTANCE if attach is None else attach
    n = len(vectors)
    if n == 0:
        return []
    locked = list(locked) + [None] * (n - len(locked))
    rejected = list(rejected) + [set()] * (n - len(rejected))
    dist = distances(vectors, vectors)
    np.fill_diagonal(dist, np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    owner = np.array([-1 if p is None else int(p) for p in locked], dtype=np.int64)
    nots: list[set[int]] = [set(r) for r in rejected]
    with_nots: set[int] = {i for i in range(n) if nots[i]}
    in_photos: list[set[int]] = [{int(photos[i])} if i < len(photos) else set()
                                 for i in range(n)]
    photo_faces: dict[int, list[int]] = {}
    for i, ps in enumerate(in_photos):
        for photo in ps:
            photo_faces.setdefault(photo, []).append(i)
    shared = [len(photo_faces[next(iter(ps))]) > 1 if ps else False for ps in in_photos]

    def merge(i: int, j: int) -> None:  # j into i (the Lance-Williams update for average)
        row = (dist[i] * size[i] + dist[j] * size[j]) / (size[i] + size[j])
        dist[i], dist[:, i] = row, row
        dist[j], dist[:, j] = np.inf, np.inf
        dist[i, i] = np.inf
        size[i] += size[j]
        alive[j] = False
        where[j] = i
        members[i] += members[j]
        if owner[i] < 0:
            owner[i] = owner[j]
        nots[i] |= nots[j]
        in_photos[i] |= in_photos[j]
        shared[i] = shared[i] or shared[j]
        with_nots.discard(j)
        if nots[i]:
            with_nots.add(i)

    def blocked(i: int) -> np.ndarray:
        """Which clusters cluster i may never merge with (the user's decisions)."""
        out = ~alive.copy()
        if owner[i] >= 0:
            out |= (owner >= 0) & (owner != owner[i])
        if nots[i]:
            out |= np.isin(owner, list(nots[i]))
        if owner[i] >= 0:
            for k in with_nots:
                if owner[i] in nots[k]:
                    out[k] = True
        if shared[i]:  # a cluster with a face of a photo that holds other faces
            for k in {k for p in in_photos[i] for k in photo_faces.get(p, ())}:
                out[_root(k)] = True
        out[i] = True
        return out

    def _root(k: int) -> int:
        """The live cluster holding face k."""
        while not alive[k]:
            k = where[k]
        return k

    where = list(range(n))  # a merged cluster's face: the cluster it went into

    # the user's decisions first: each locked person's faces form one cluster
    first: dict[int, int] = {}
    for i, person in enumerate(locked):
        if person is None:
            continue
        if person in first:
            merge(first[person], i)
        else:
            first[person] = i
    work = dist.copy()
    for i in np.flatnonzero(alive):
        if owner[i] >= 0 or nots[i] or shared[i]:
            b = blocked(int(i))
            work[i, b] = np.inf
            work[b, i] = np.inf
    rowarg = np.argmin(work, axis=1)
    rowmin = work[np.arange(n), rowarg]
    while True:
        i = int(np.argmin(rowmin))
        j = int(rowarg[i])
        if not np.isfinite(rowmin[i]) or rowmin[i] > threshold:
            break
        i, j = min(i, j), max(i, j)
        merge(i, j)
        row = np.where(blocked(i), np.inf, dist[i])
        work[i], work[:, i] = row, row
        work[j], work[:, j] = np.inf, np.inf
        rowmin[j] = np.inf
        stale = np.flatnonzero(alive & ((rowarg == i) | (rowarg == j)))
        better = alive & (row < rowmin)
        rowmin[better], rowarg[better] = row[better], i
        for k in {i, *stale.tolist()}:
            rowarg[k] = int(np.argmin(work[k]))
            rowmin[k] = work[k, rowarg[k]]
    roots = [int(i) for i in np.flatnonzero(alive)]
    # small groups (a face or two the strict merge left alone) join the nearest larger one
    # when near enough on average: the same rule as a new face's (assign)
    large = [r for r in roots if len(members[r]) > SMALL_GROUP]
    for r in roots:
        if len(members[r]) > SMALL_GROUP or owner[r] >= 0 or not large:
            continue
        mean = [float(distances(vectors[members[r]], vectors[members[q]]).mean()) for q in large]
        for k in np.argsort(mean):
            if mean[k] > attach:
                break
            q = large[int(k)]
            if owner[q] in nots[r] or in_photos[q] & in_photos[r]:
                continue
            members[q] += members[r]
            in_photos[q] |= in_photos[r]
            members[r] = []
            break
    labels = [0] * n
    for k, i in enumerate(r for r in roots if members[r]):
        for m in members[i]:
            labels[m] = k
    return labels


def persons_for_clusters(
    labels: Sequence[int],
    previous: Sequence[int | None],
    locked: Sequence[int | None],
    reserved: Set[int] = frozenset(),
) -> list[int | None]:
    """A person for each face after :func:`cluster`: a cluster holding locked faces is their
    person; another keeps the person most of its faces had before (ids stay stable), unless a
    larger cluster took it or it is ``reserved`` (a person with locked faces elsewhere); the
    rest are None (the caller makes new persons, one per remaining cluster)."""
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    out: list[int | None] = [None] * len(labels)
    taken = set(reserved)
    order = sorted(groups.values(), key=len, reverse=True)
    for faces in order:
        owners = {locked[i] for i in faces if i < len(locked) and locked[i] is not None}
        if owners:
            (person,) = owners  # cluster() never merges two locked persons
            for i in faces:
                out[i] = person
    for faces in order:
        if out[faces[0]] is not None:
            continue
        before = Counter(previous[i] for i in faces if previous[i] is not None)
        for person, _ in before.most_common():
            if person not in taken:
                taken.add(person)
                for i in faces:
                    out[i] = person
                break
    return out


def groups_of(labels: Sequence[int]) -> list[list[int]]:
    """Indices grouped by label, largest group first."""
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    return sorted(groups.values(), key=len, reverse=True)


def pairwise_scores(truth: Sequence[str], labels: Sequence[int]) -> tuple[float, float]:
    """Pairwise precision and recall of ``labels`` against ``truth`` (same-identity pairs)."""
    truth_arr, lab = np.asarray(truth), np.asarray(labels)
    same_t = truth_arr[:, None] == truth_arr[None, :]
    same_c = lab[:, None] == lab[None, :]
    upper = np.triu(np.ones_like(same_t), 1)
    tp = int((same_t & same_c & upper).sum())
    fp = int((~same_t & same_c & upper).sum())
    fn = int((same_t & ~same_c & upper).sum())
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def rejected_sets(rejections: Mapping[int, Set[int]], face_ids: Sequence[int]) -> list[set[int]]:
    """The rejected persons of each face in ``face_ids`` order."""
    return [set(rejections.get(f, ())) for f in face_ids]
