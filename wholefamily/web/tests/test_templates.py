"""Every page template's title block is plain text: a fragment pasted into it would render in <title>."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(ROOT.glob("*/templates/**/*.html"))
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_templates_are_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_title_block_is_plain_text(template: Path):
    for title in TITLE.findall(template.read_text(encoding="utf-8")):
        assert "<" not in title and "\n" not in title.strip(), f"{template}: title block holds markup: {title[:80]!r}"
