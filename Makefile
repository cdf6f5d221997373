# The two set-up commands: `make run` and `make test`. Both are idempotent and quick once installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_WORKERS ?= 2
WEB_WORKERS ?= 2

.PHONY: run serve test lint bench clean sample-video

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

# The production layout on one machine (README, "Production"): DEBUG off, HTTP on granian's WSGI (WEB_WORKERS
# processes of WEB_THREADS threads), WebSockets on granian's ASGI on PORT + 1 (LIVE_PORT), the workers.
serve: $(VENV)/.installed-run
	@if [ -z "$$SECRET_KEY$$SECRET_KEY_FILE" ]; then \
	  echo "make serve runs the production settings: set SECRET_KEY (or SECRET_KEY_FILE) to a long random secret,"; \
	  echo "e.g. export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), and ALLOWED_HOSTS."; \
	  exit 2; fi
	DEBUG=0 $(BIN)/python manage.py migrate --no-input -v0
	DEBUG=0 $(BIN)/python manage.py collectstatic --no-input -v0
	DEBUG=0 PORT=$(PORT) exec $(BIN)/python manage.py runstack --serve --web-workers $(WEB_WORKERS)

test: $(VENV)/.installed-test
	DJANGO_SETTINGS_MODULE=omnivibe.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-run
	$(BIN)/python bench/narration.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/watchers.py

# The front door's sample video, made by the pipeline itself from static/sample/script.txt.
sample-video: $(VENV)/.installed-run
	DEBUG=1 $(BIN)/python manage.py render static/sample/script.txt --out var/sample --video --height 640
	cp var/sample/video.mp4 static/sample/omnivibe-sample.mp4
	cp var/sample/thumbnail.jpg static/sample/omnivibe-sample.jpg

clean:
	rm -rf $(VENV) var staticfiles
