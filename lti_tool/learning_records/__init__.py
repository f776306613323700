"""Learning records: the one recorder, the launch statement, delivery to LRSs."""
