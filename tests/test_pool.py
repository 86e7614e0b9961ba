"""The renderers' worker pool (generator/publishers/render/pool.py), with real forked processes."""
from __future__ import annotations

import os

from generator.publishers.render.pool import in_workers, worker_context


def _square_with_context(n):
    base, _ = worker_context()
    return base + n * n, os.getpid()


def test_every_item_once_with_its_index_in_two_processes():
    results = dict(in_workers(_square_with_context, [1, 2, 3, 4, 5], jobs=2, context=(100, "x")))
    assert {i: r[0] for i, r in results.items()} == {0: 101, 1: 104, 2: 109, 3: 116, 4: 125}
    assert os.getpid() not in {pid for _, pid in results.values()}


def test_one_job_runs_here_in_order_with_the_context():
    results = list(in_workers(_square_with_context, [3, 1], jobs=1, context=(0, "y")))
    assert [(i, r[0]) for i, r in results] == [(0, 9), (1, 1)]
    assert {pid for _, (_, pid) in results} == {os.getpid()}
    assert worker_context() is None
