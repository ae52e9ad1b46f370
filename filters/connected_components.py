"""Connected components by alternating large-star and small-star rounds (Kiveris et al.,
"Connected Components in MapReduce and Beyond", SoCC 2014), one node's neighbourhood at a
time, so a distributed runner can apply them after a group-by-node.

Nodes are comparable values; the component's smallest node becomes its root. After
convergence every edge joins a node to its root.
"""
from __future__ import annotations


def large_star(node, neighbours):
    """Connect every strictly larger neighbour to the smallest node of the neighbourhood."""
    m = min(min(neighbours), node)
    return [(v, m) for v in neighbours if v > node]


def small_star(node, neighbours):
    """Connect the node and its smaller-or-equal neighbours to their smallest member."""
    smaller = [v for v in neighbours if v <= node]
    m = min(smaller + [node])
    return [(v, m) for v in set(smaller) | {node} if v != m]
