"""The ``peerlearn`` command, one module per command group (``main`` dispatches)."""
