"""docs/orders.md shows the transition table the code enforces."""

from __future__ import annotations

from orders.status import markdown_table
from tests.conftest import REPO


def test_the_documented_transitions_are_the_enforced_ones() -> None:
    """The table between the transitions markers equals the one rendered from the code."""
    text = (REPO / "docs" / "orders.md").read_text()
    begin, end = "<!-- transitions:begin -->\n", "\n<!-- transitions:end -->"
    documented = text[text.index(begin) + len(begin) : text.index(end)]
    assert documented == markdown_table(), "stale: paste orders.status.markdown_table()"
