"""The README's settings table is the one the code renders."""

from __future__ import annotations

from core.settings import markdown_table
from tests.conftest import REPO


def test_readme_settings_table_matches_the_code() -> None:
    """Every setting, default and meaning in the README equals the code's."""
    readme = (REPO / "README.md").read_text()
    begin, end = "<!-- settings:begin -->\n", "\n<!-- settings:end -->"
    documented = readme[readme.index(begin) + len(begin) : readme.index(end)]
    assert documented == markdown_table(), "stale: run .venv/bin/python scripts/readme-settings.py"
