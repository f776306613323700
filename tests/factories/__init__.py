"""Test data, written straight to the database: the one place for row helpers.

- :mod:`tests.factories.lti`: the platform -> deployment -> course (context) -> person ->
  membership chain every feature's tests start from.
- :mod:`tests.factories.library`: library items, comments, topics, shares and follows.
- :mod:`tests.factories.library_visits`: the library driven through real launches (for
  functional and browser tests); the rows it writes come from the two modules above.

Each helper takes an open ``Connection`` (the caller chooses when to commit), inserts one
row with defaults a test can override, and returns its id.
"""
