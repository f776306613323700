"""One rule for ids in paths (issue 12, item 8): the converter's own pattern takes the
positive 32-bit numbers and nothing else, so a bigger id is a 404 for every method."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lti_tool.web.forms import ROW_ID_MAX, RowIdConverter

PATTERN = re.compile(rf"{RowIdConverter.regex}\Z")


@given(st.integers(min_value=0, max_value=10**12))
def test_the_pattern_takes_exactly_the_row_ids(number: int) -> None:
    assert bool(PATTERN.match(str(number))) == (0 < number <= ROW_ID_MAX)


def test_the_edges() -> None:
    for taken in ("1", "9", "10", "2147483647", "1999999999"):
        assert PATTERN.match(taken)
    for refused in ("0", "2147483648", "3000000000", "-1", "1e3", ""):
        assert not PATTERN.match(refused)
