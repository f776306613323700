"""Peer review activities: the database side of submitting, allocating, reviewing, grading."""
