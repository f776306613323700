"""Learning records: ``recorder`` (the one recorder every feature records through),
``records`` (validated statements into the outbox; LRS destinations), ``launch_statement``
(the statement of an LTI launch) and ``delivery`` (the worker that sends them to LRSs)."""
