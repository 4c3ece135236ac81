"""The docs hold together: every link leads somewhere, every picture can be remade.

README.md and docs/*.md link to each other, to headings and to the pictures in
docs/img/; `make screenshots` (scripts/screenshots.py) takes those pictures from the
real app. A renamed guide, a heading or a picture nobody can regenerate fails here.
"""

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM_PATH

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The pictures the product's pages show: the front page and the owner's guide.
ILLUSTRATED = [ROOT / "README.md", ROOT / "docs" / "USER_GUIDE.md"]

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
MD_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)"
)
HTML_LINK = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto: …
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def prose(path: Path) -> str:
    """The Markdown without code blocks and spans (their brackets are not links)."""
    return CODE_SPAN.sub("", FENCE.sub("", path.read_text()))


def links(path: Path) -> list[str]:
    text = prose(path)
    return MD_LINK.findall(text) + HTML_LINK.findall(text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation out, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(prose(path))}


def local_targets(path: Path) -> list[tuple[str, Path, str]]:
    """(link as written, file it names, #fragment) for links inside the repository."""
    found = []
    for link in links(path):
        if EXTERNAL.match(link) or link.startswith("/"):
            continue  # web addresses, and paths of the running app such as /api/docs
        target, _, fragment = link.partition("#")
        found.append((link, (path.parent / target) if target else path, fragment))
    return found


def images_in(paths: list[Path]) -> set[str]:
    """Names of the docs/img pictures that ``paths`` show."""
    return {
        target.name
        for path in paths
        for _, target, _ in local_targets(path)
        if target.resolve().parent == IMG.resolve()
    }


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_guides_the_readme_promises_exist():
    names = {path.name for path in GUIDES}
    for guide in (
        "USER_GUIDE.md",
        "ARCHITECTURE.md",
        "API.md",
        "DEVELOPMENT.md",
        "PERFORMANCE.md",
    ):
        assert guide in names


def test_the_readme_opens_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[0] == "# Booking Links"
    opening = "\n".join(lines[1:6])
    assert "make run" in opening
    assert "make test" in opening


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.name)
def test_every_relative_link_points_at_a_file_that_exists(guide: Path):
    broken = [
        link
        for link, target, fragment in local_targets(guide)
        if not target.exists()
        or (fragment and target.suffix == ".md" and fragment not in anchors(target))
    ]
    assert broken == [], f"{guide.name} links to missing files or headings: {broken}"


def test_the_link_checker_sees_links_in_every_form(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "# A page\n\n## Its part\n\n[a file](other.md) ![a picture](img/x.png) "
        '[a heading](#its-part) <img src="img/y.png" alt=""> [web](https://a.example) '
        "[app path](/api/docs) `[not a link](code.md)`\n\n"
        "```\n[not a link either](fenced.md)\n```\n"
    )
    found = [link for link, _, _ in local_targets(page)]
    assert found == ["other.md", "img/x.png", "#its-part", "img/y.png"]
    assert "its-part" in anchors(page)


def test_every_picture_in_docs_img_is_shown_somewhere():
    shown = images_in(GUIDES)
    unused = sorted(p.name for p in IMG.glob("*.png") if p.name not in shown)
    assert unused == [], f"pictures no guide shows (delete them): {unused}"


@pytest.mark.browser
def test_make_screenshots_makes_every_picture_the_guides_show(tmp_path: Path):
    """The real script, into a temporary folder: fresh demo data, a real server."""
    out = tmp_path / "img"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(out)],
        cwd=ROOT,
        # Only what it needs: the script builds its app's environment from scratch.
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "CHROMIUM_PATH": CHROMIUM_PATH,
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]

    made = {path.name for path in out.glob("*.png")}
    needed = images_in(ILLUSTRATED)
    assert needed, "the README and the user guide show pictures"
    assert needed <= made, f"not made by the script: {sorted(needed - made)}"
    committed = {path.name for path in IMG.glob("*.png")}
    assert made == committed, "docs/img/ differs from what `make screenshots` makes"
    for name in made:
        width, height = png_size(out / name)
        if name.endswith("-phone.png"):
            assert width == 375, f"{name} is a phone picture, {width} px wide"
        else:
            assert 300 <= width <= 1280, f"{name} is {width} px wide"
        assert height >= 200, f"{name} is only {height} px tall"
