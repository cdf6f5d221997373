"""The embedded default's SQLite: every connection gets WAL, a bigger page cache, a memory map and in-memory
temporary storage, from settings (SQLITE_CACHE_MB, SQLITE_MMAP_MB)."""

import pytest
from django.db import connection

from tests.security.servers import production_settings

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")


def pragma(name: str):
    with connection.cursor() as cursor:
        return cursor.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.mark.django_db
def test_each_connection_is_tuned_for_web_and_worker_sharing_one_file():
    assert pragma("journal_mode") == "wal"
    assert pragma("busy_timeout") == 20000
    assert pragma("cache_size") == -64 * 1024  # KiB: 64 MB of pages
    assert pragma("mmap_size") == 256 * 1024 * 1024
    assert pragma("temp_store") == 2  # MEMORY
    assert pragma("synchronous") == 1  # NORMAL: safe with WAL


def test_the_cache_and_the_memory_map_follow_the_environment():
    [init] = production_settings(
        "DATABASES['default']['OPTIONS']['init_command']", SQLITE_CACHE_MB="8", SQLITE_MMAP_MB="0"
    )
    assert "PRAGMA cache_size=-8192;" in init and "PRAGMA mmap_size=0;" in init and "PRAGMA temp_store=MEMORY;" in init
