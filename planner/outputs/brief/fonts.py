"""Fonts for every script a name can have, in the PDF and in the charts.

Partners and training areas are spelt in their own letters: Łódź, Şile,
Câmpia Turzii, Київ, Αθήνα, and in Arabic, Thai, Chinese, Japanese or Korean.
The PDF's base font is DejaVu Sans, which ships with matplotlib (a dependency,
under its own free licence, ``LICENSE_DEJAVU`` beside the font files), so
every Latin letter with its diacritics, Greek, Cyrillic, Hebrew and Arabic
print on any machine planner is installed on. A letter DejaVu Sans lacks
(Thai, CJK) is printed in the first font of the machine that has it
(``fonts-tlwg-loma-ttf``, ``fonts-droid-fallback`` on Debian); when none has
it, the brief says which script could not be printed instead of drawing
silent boxes.

Right-to-left text (Arabic, Hebrew) is put in the order it is drawn for the
PDF, Arabic letters in their joined forms (`arabic_reshaper`, then the
Unicode bidirectional algorithm of `bidi`): reportlab draws text left to
right, letter by letter. matplotlib lays such text out itself, so the charts
hand it over as typed (`planner.outputs.brief.charts`).
"""

from __future__ import annotations

import html
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import arabic_reshaper
import matplotlib
from bidi.algorithm import get_display
from fontTools.ttLib import TTCollection, TTFont, TTLibError
from matplotlib import font_manager
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as PdfFont

BASE_FONT = "PlannerSans"
BOLD_FONT = "PlannerSans-Bold"
CHART_FAMILY = "DejaVu Sans"
_FONT_FILES = {BASE_FONT: "DejaVuSans.ttf", BOLD_FONT: "DejaVuSans-Bold.ttf"}
# Bidirectional classes of the letters written right to left.
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
# What a missing letter's script is called, where its Unicode name says less.
_SCRIPT_NAMES = {
    "CJK": "Chinese/Japanese/Korean (CJK)",
    "HANGUL": "Korean (Hangul)",
    "HIRAGANA": "Japanese (Hiragana)",
    "KATAKANA": "Japanese (Katakana)",
}
# Words in a font file's name that mark a face other than the upright regular.
_STYLES = ("bold", "italic", "oblique", "light", "thin", "black", "condensed")
# Letters that draw nothing: no font needs them.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})

# matplotlib logs "findfont: Failed to find font weight normal for WenQuanYi
# Zen Hei, now using 500" to stderr when a fallback font has only a medium
# face, and then draws with it. A staff officer would read it as an error;
# a letter no font prints is said in the brief itself (`font_warnings`).
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Fallback:
    """A font of this machine that prints letters the base font lacks."""

    name: str  # as registered with reportlab
    path: Path
    index: int  # the font's number in a .ttc collection, else 0

    @property
    def family(self) -> str:
        """Its family name, as matplotlib knows it once added."""
        return str(font_manager.FontProperties(fname=str(self.path)).get_name())


@dataclass(frozen=True)
class Printable:
    """A text as reportlab markup, and the scripts no font here could print."""

    markup: str
    missing: frozenset[str]


def _base_path(name: str) -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / _FONT_FILES[name]


@cache
def register_fonts() -> None:
    """Make the base fonts known to reportlab (once per process)."""
    for name in _FONT_FILES:
        pdfmetrics.registerFont(PdfFont(name, str(_base_path(name))))
    pdfmetrics.registerFontFamily(
        BASE_FONT, normal=BASE_FONT, bold=BOLD_FONT, italic=BASE_FONT,
        boldItalic=BOLD_FONT,
    )  # fmt: skip


@cache
def _base_letters() -> frozenset[int]:
    return _letters(_base_path(BASE_FONT), 0) or frozenset()


def _letters(path: Path, index: int) -> frozenset[int] | None:
    """The characters a TrueType font maps; None for a font reportlab cannot
    embed (PostScript outlines) or cannot read."""
    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        if "glyf" not in font:
            return None
        cmap = font.getBestCmap() or {}
        return frozenset(cmap)
    except (OSError, TTLibError, AssertionError, KeyError):
        return None


def _faces(path: Path) -> int:
    """How many fonts a file holds: several in a .ttc collection."""
    if path.suffix.lower() != ".ttc":
        return 1
    try:
        return len(TTCollection(str(path), lazy=True).fonts)
    except (OSError, TTLibError, AssertionError):
        return 0


def _plain_first(name: str) -> tuple[bool, str]:
    """Upright regular faces before bold, italic and the like, then by path."""
    styled = any(word in Path(name).stem.lower() for word in _STYLES)
    return styled, name


@cache
def _system_fonts() -> tuple[tuple[Path, int, frozenset[int]], ...]:
    """Every TrueType font of this machine with the letters it maps, regular
    faces first, then in path order (so the same machine always picks the
    same font)."""
    found = []
    for name in sorted(font_manager.findSystemFonts(fontext="ttf"), key=_plain_first):
        path = Path(name)
        for index in range(_faces(path)):
            letters = _letters(path, index)
            if letters:
                found.append((path, index, letters))
    return tuple(found)


@cache
def fallback_for(letter: str) -> Fallback | None:
    """The font that prints ``letter`` when the base font cannot; None when
    no font of this machine can."""
    code = ord(letter)
    for path, index, letters in _system_fonts():
        if code in letters:
            name = f"Fallback-{path.stem}-{index}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(PdfFont(name, str(path), subfontIndex=index))
            font_manager.fontManager.addfont(str(path))
            return Fallback(name, path, index)
    return None


def script_of(letter: str) -> str:
    """The script a letter belongs to, as a person names it: "Thai"."""
    first = unicodedata.name(letter, "UNKNOWN").split()[0]
    return _SCRIPT_NAMES.get(first, first.title())


def in_drawing_order(text: str) -> str:
    """``text`` as it is drawn left to right: right-to-left runs reversed,
    Arabic letters joined; other text unchanged. Every line is read as a
    left-to-right line with right-to-left names in it, as the brief's HTML
    page shows it: "تمرين الربيع (SPS27)" keeps its name before its id,
    where a line taken as right to left because it starts in Arabic put the
    id first."""
    if not any(unicodedata.bidirectional(c) in _RIGHT_TO_LEFT for c in text):
        return text
    return str(get_display(arabic_reshaper.reshape(text), base_dir="L"))


def _needs_font(letter: str) -> bool:
    return (
        ord(letter) not in _base_letters()
        and unicodedata.category(letter) not in _INVISIBLE
    )


def printable(text: str) -> Printable:
    """``text`` as reportlab paragraph markup: escaped, in drawing order,
    each run of letters the base font lacks in a font that has them."""
    parts: list[str] = []
    missing: set[str] = set()
    run: list[str] = []
    face: Fallback | None = None

    def close() -> None:
        chunk = html.escape("".join(run))
        parts.append(
            chunk if face is None else f'<font face="{face.name}">{chunk}</font>'
        )
        run.clear()

    for letter in in_drawing_order(text):
        wanted = None
        if _needs_font(letter):
            wanted = fallback_for(letter)
            if wanted is None:
                missing.add(script_of(letter))
        if wanted != face and run:
            close()
        face = wanted
        run.append(letter)
    if run:
        close()
    return Printable("".join(parts), frozenset(missing))


def chart_families(texts: Iterable[str]) -> list[str]:
    """The font families a chart of ``texts`` needs, the base one first:
    matplotlib takes each glyph from the first family that has it."""
    families = [CHART_FAMILY]
    for text in texts:
        for letter in text:
            if _needs_font(letter):
                fallback = fallback_for(letter)
                if fallback is not None and fallback.family not in families:
                    families.append(fallback.family)
    return families


def missing_scripts(texts: Iterable[str]) -> frozenset[str]:
    """The scripts of ``texts`` that no font of this machine prints."""
    return frozenset(
        script_of(letter)
        for text in texts
        for letter in text
        if _needs_font(letter) and fallback_for(letter) is None
    )
