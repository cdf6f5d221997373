import pytest

from omnivibe.env import SettingError, env_bool, env_int, env_list, env_secret


def test_booleans_are_read_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(SettingError, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_numbers_fail_loudly(monkeypatch):
    monkeypatch.setenv("WORKERS", "two")
    with pytest.raises(SettingError, match="WORKERS='two' is not a whole number"):
        env_int("WORKERS", 1)


def test_lists_and_secret_files(monkeypatch, tmp_path):
    monkeypatch.setenv("HOSTS", " a.com, b.com ,")
    assert env_list("HOSTS", "") == ["a.com", "b.com"]
    (tmp_path / "key").write_text("s3cret\n")
    monkeypatch.setenv("KEY_FILE", str(tmp_path / "key"))
    assert env_secret("KEY", "default") == "s3cret"
    monkeypatch.setenv("KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingError, match="KEY_FILE"):
        env_secret("KEY", "default")
