"""benchmarks/report.py: the docs' results tables match the committed results files."""

import os
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, BENCHMARKS)

import report  # noqa: E402


def test_no_rendered_table_is_stale():
    stale = report.stale_pages()
    assert not stale, (
        f"results tables differ from benchmarks/results/ in {sorted(stale)}: "
        "run `python benchmarks/report.py` and commit the pages"
    )


def test_every_renderer_is_used_by_a_page():
    text = "".join(open(path, encoding="utf-8").read() for path in report.pages())
    for name in report.RENDERERS:
        assert f"<!-- results:{name} -->" in text, name


def test_an_edited_table_is_found_stale_and_rerendered():
    page = "intro\n<!-- results:gpu-step -->\n| hand | edited |\n<!-- /results -->\nafter\n"
    rendered = report.render_page(page)
    assert rendered != page
    assert "| hand | edited |" not in rendered
    assert rendered.startswith("intro\n<!-- results:gpu-step -->\n")
    assert rendered.endswith("<!-- /results -->\nafter\n")
    assert report.render_page(rendered) == rendered  # rendering is idempotent


def test_an_unknown_table_name_is_an_error():
    with pytest.raises(ValueError, match="Received: name='no-such-table'"):
        report.render_page("<!-- results:no-such-table -->\n<!-- /results -->\n", "docs/x.md")
