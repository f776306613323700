"""Peer review: allocation of reviewers, rubrics, settings and grading, as plain Python."""
