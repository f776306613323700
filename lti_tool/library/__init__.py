"""The course content library's operations: authoring, attachments, topics, access and
learning records. Each takes the caller's connection and runs in its transaction."""
