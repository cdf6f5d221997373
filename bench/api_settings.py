"""Settings for `bench/api.py`: production settings, plus one bare JSON view to compare against.

Tables are created straight from the models (`migrate --run-syncdb`, as the test suite's --nomigrations does):
dj-stripe's migrations alone take about 90 s here, and the schema they build is the same.
"""

from omnivibe.settings import *  # noqa: F403


class _NoMigrations:
    def __contains__(self, app_label: str) -> bool:
        return True

    def __getitem__(self, app_label: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()
ROOT_URLCONF = "bench.api_urls"
