"""System tools some tests render with (poppler, LibreOffice).

scripts/install-test-deps.sh installs them, and the README's test command
runs it first; a test that needs one fails when it is missing, never skips,
so CI cannot pass without having looked at a rendered page.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL = "run scripts/install-test-deps.sh (the README's test command does)"


def require(tool: str) -> str:
    """The tool's path, or the test fails saying how to install it."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: {INSTALL}")
    return path


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        [require("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return int(
        next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]
    )


def words_outside(pdf: Path, margin: float) -> list[str]:
    """Words whose box comes closer than ``margin`` points to a page edge:
    text cut off, or about to be, when printed."""
    xhtml = subprocess.run(
        [require("pdftotext"), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(xhtml)
    found = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        width, height = float(page.get("width")), float(page.get("height"))
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            x_min, y_min = float(word.get("xMin")), float(word.get("yMin"))
            x_max, y_max = float(word.get("xMax")), float(word.get("yMax"))
            if (
                x_min < margin
                or y_min < margin
                or x_max > width - margin
                or y_max > height - margin
            ):
                found.append(word.text or "")
    return found


def render_pages(pdf: Path, folder: Path, dpi: int = 40) -> list[Path]:
    """Each page as a greyscale PNG, as a person would see it."""
    subprocess.run(
        [
            require("pdftoppm"),
            "-r",
            str(dpi),
            "-gray",
            "-png",
            str(pdf),
            str(folder / "page"),
        ],
        check=True,
    )
    return sorted(folder.glob("page-*.png"))


def ink_at_edges(png: Path, band: int) -> bool:
    """True when anything is drawn within ``band`` pixels of the page's edge."""
    from matplotlib.image import imread

    image = imread(png)
    grey = image if image.ndim == 2 else image[..., 0]
    edges = (grey[:band], grey[-band:], grey[:, :band], grey[:, -band:])
    return any((edge < 0.9).any() for edge in edges)
