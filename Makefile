# The two set-up commands: `make run` and `make test`. Both are idempotent and quick once installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_WORKERS ?= 2

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("OmniVibe needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the requirement files change.
$(VENV)/.installed-run: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.installed-test: requirements-dev.txt $(VENV)/.installed-run
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

run: $(VENV)/.installed-run
	DEBUG=1 $(BIN)/python manage.py migrate --no-input -v0
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 PORT=$(PORT) exec $(BIN)/python manage.py runstack

test: $(VENV)/.installed-test
	DJANGO_SETTINGS_MODULE=omnivibe.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-run
	$(BIN)/python bench/narration.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV) var staticfiles
