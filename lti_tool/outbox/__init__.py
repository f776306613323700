"""The durable outbox: ``store`` (messages written in the transaction of their change),
``worker`` (the one claim/handle/retry loop grade passback, roster syncs and xAPI delivery
run) and ``runner`` (rounds until done, or until stopped)."""
