"""Learning records: xAPI statement building, validation, the outbox and LRS delivery.

Framework-free by contract (import-linter): the web layer calls in, never the reverse.
"""
