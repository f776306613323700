"""Peer review pages: URL rules in :mod:`.blueprint`, the activity's context in
:mod:`.context`, form schemas in :mod:`.forms`, one view module per thing a user does."""
