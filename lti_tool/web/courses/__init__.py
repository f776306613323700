"""Course pages every launch can reach: the course page and profile, the roster for
staff, learning-record delivery for administrators, the staff grade API and the health
check. URL rules in :mod:`.blueprint`."""
