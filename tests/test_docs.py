"""SECURITY.md and PRIVACY.md prove each claim by naming a test: every test they
name must exist, so renaming or deleting one cannot leave a claim unproved."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?")


@pytest.mark.parametrize("document", ["SECURITY.md", "PRIVACY.md"])
def test_every_test_the_document_names_exists(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    references = set(REFERENCE.findall(text))
    assert len(references) > 20

    missing = []
    for path, name in sorted(references):
        source = ROOT / path
        if not source.exists():
            missing.append(path)
        elif name and not re.search(rf"def {name}\b", source.read_text(encoding="utf-8")):
            missing.append(f"{path}::{name}")
    assert missing == []
