"""The durable outbox (``store``) and the one loop every outbox worker runs."""
