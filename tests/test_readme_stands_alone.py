"""The README stands alone in a clone: every file it points to is in the repository, and the
product's contract is in docs/, not in a file outside the project."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_file_the_readme_points_to_is_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme  # nothing outside the clone
    linked = re.findall(r"\]\(([^)#]+)\)", readme) + re.findall(r"`(docs/[^`]+\.md)`", readme)
    local = [target for target in linked if not re.match(r"[a-z]+://", target)]
    assert "docs/product.md" in local
    for target in local:
        assert (ROOT / target).exists(), target


def test_the_product_contract_says_who_it_serves_and_how_someone_becomes_staff() -> None:
    product = (ROOT / "docs" / "product.md").read_text(encoding="utf-8")
    for part in ("## Who uses it", "## A teen's way through", "## Rules every front end keeps"):
        assert part in product
    assert "rekam staff invite" in product
