# Every shared fixture lives in one plugin; test modules import helpers from tests.factories, never conftests.
pytest_plugins = ["tests.fixtures"]
