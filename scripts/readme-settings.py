"""Rewrite the README's settings table from the code (the test says when it is stale)."""

from pathlib import Path

from core.settings import markdown_table

readme = Path(__file__).resolve().parents[1] / "README.md"
text = readme.read_text()
begin, end = "<!-- settings:begin -->\n", "\n<!-- settings:end -->"
head, rest = text.split(begin)
_, tail = rest.split(end)
readme.write_text(head + begin + markdown_table() + end + tail)
