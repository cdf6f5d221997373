from mediakit.speech.engines.piper.settings import PRESETS
from voices.services import default_voice_spec


def test_speakers_without_a_library_voice_get_distinct_presets():
    specs = [default_voice_spec(i)["voice_id"] for i in range(len(PRESETS))]
    assert len(set(specs)) == len(PRESETS)
