"""Soft hyphens in long words, so a narrow box breaks "Informationssicherheitsbeauftragte/r" with a hyphen.

CSS `hyphens: auto` needs the browser's own dictionary, and Chromium on Linux has none for German: a long
compound there overflows its box or, with `overflow-wrap`, breaks anywhere without a hyphen. A soft hyphen
(U+00AD) is invisible unless the line breaks at it, where the browser shows a hyphen. The break points come
from pyphen's dictionaries (the ones WeasyPrint uses for the PDF, which hyphenates on its own).
"""

from __future__ import annotations

import functools
import re

import pyphen

SOFT_HYPHEN = "\u00ad"
MIN_LENGTH = 12  # shorter words fit the narrowest box (a 375 pixel phone's role card)
# The app's languages and the dictionary for each; British English, as the English texts spell it.
DICTIONARIES = {"de": "de_DE", "en": "en_GB"}

_WORD = re.compile(rf"[^\W\d_]{{{MIN_LENGTH},}}")  # letters only: "Informationssicherheitsbeauftragte" of ".../r"
_TOKEN = re.compile(r"\S+")
_CONSONANT = re.compile(r"[^aeiouäöüy]", re.IGNORECASE)


def _looks_like_an_address(token: str) -> bool:
    return "@" in token or "://" in token or token.lower().startswith("www.")


@functools.cache
def _dictionary(language: str) -> pyphen.Pyphen | None:
    name = DICTIONARIES.get(language.split("-")[0].lower())
    return pyphen.Pyphen(lang=name) if name else None


@functools.lru_cache(maxsize=4096)
def _hyphenated_word(word: str, language: str) -> str:
    dictionary = _dictionary(language)
    if dictionary is None:
        return word
    positions = dictionary.positions(word)
    # The German patterns often mark two break points one consonant apart. Where a vowel follows the second, it is
    # a compound's seam and the first is the syllable before it ("Sys-te-m-ad-mi-nis-tra-tor", "Netz-wer-k-in-fra"):
    # keep the seam. Otherwise neither can be trusted ("In-fra-s-truk-tur", "tu-ra-r-chi-tekt"): keep neither, since
    # a missing break costs a line and a wrong one is a visible typo.
    dropped = set()
    for position, following in zip(positions, positions[1:], strict=False):
        if following == position + 1 and _CONSONANT.match(word[position]):
            dropped.add(position)
            if following >= len(word) or _CONSONANT.match(word[following]):
                dropped.add(following)
    kept = [position for position in positions if position not in dropped]
    pieces = [word[start:end] for start, end in zip([0, *kept], [*kept, len(word)], strict=True)]
    return SOFT_HYPHEN.join(pieces)


def hyphenate(text: str, language: str) -> str:
    """`text` with soft hyphens at the break points of its words of 12 letters or more, in `language`."""
    if _dictionary(language) is None:
        return text

    def token(match: re.Match[str]) -> str:
        if _looks_like_an_address(match[0]):
            return match[0]
        return _WORD.sub(lambda word: _hyphenated_word(word[0], language), match[0])

    return _TOKEN.sub(token, text)


def without_soft_hyphens(text: str) -> str:
    """`text` as it was before `hyphenate`: for what is copied, searched or rendered elsewhere (the PDF)."""
    return text.replace(SOFT_HYPHEN, "")
