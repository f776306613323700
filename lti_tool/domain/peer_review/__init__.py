"""Peer review: allocation of reviewers, rubrics, settings and grading, as plain Python.

Allocation lives in :mod:`.allocation` (balanced, at the deadline), :mod:`.review_queue`
(continuous, under leases) and :mod:`.manual` (staff's changes); :mod:`.model` holds the
shared vocabulary. Modules starting with ``_`` are the allocator's internals.
"""
