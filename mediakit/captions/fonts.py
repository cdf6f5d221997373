"""Fonts for burned-in text, shipped in packages (never the system's): Roboto (font-roboto) for Latin text,
Noto Sans CJK (noto-cjk-sans-otc, one collection with every CJK face) for Korean, Japanese and Chinese, so no
character is drawn as an empty box. libass reads fonts from one folder: `font_folder` links both there."""

import unicodedata
from collections.abc import Iterable
from pathlib import Path

import font_roboto
import noto_cjk_sans_otc

from mediakit.text.normalize import language_code

ROBOTO_FILES = Path(font_roboto.font_directory)
CJK_FILE = Path(str(noto_cjk_sans_otc.FONT_PATH))
# The collection's face for each language: the same glyphs, each with its language's preferred forms.
CJK_FAMILIES = {"ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK SC"}


def needs_cjk(text: str) -> bool:
    """Whether the text has a wide character (kanji, kana, Hangul, full-width forms) that Roboto lacks;
    emoji are wide too but no caption font draws them."""
    return any(unicodedata.east_asian_width(char) in "WF" and unicodedata.category(char) != "So" for char in text)


def caption_font(language: str, texts: Iterable[str], chosen: str) -> str:
    """The font family to burn captions in: `chosen` (the brand's) unless the script is in a CJK language
    or its text has CJK characters, which get the Noto Sans CJK face of the language (Japanese's for any
    other language)."""
    code = language_code(language)
    if code in CJK_FAMILIES:
        return CJK_FAMILIES[code]
    return CJK_FAMILIES["ja"] if any(needs_cjk(text) for text in texts) else chosen


def font_folder(folder: Path) -> Path:
    """`folder` holding links to every shipped font file (created once), for libass's fontsdir."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in [*sorted(ROBOTO_FILES.glob("*.ttf")), CJK_FILE]:
        link = folder / source.name
        if not link.exists():
            link.symlink_to(source)
    return folder
