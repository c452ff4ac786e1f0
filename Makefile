# One command to run the app, one to test it. See README.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint messages

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

## run: install, migrate, load demo data and serve http://127.0.0.1:8000/ (PORT=8101 make run
## for another port), with the task worker beside it as in production; Ctrl-C stops both.
PORT ?= 8000
# Development settings (DEBUG defaults to off: production). pytest sets its own (pyproject.toml).
run lint messages: export DEBUG = 1

run: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	@trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (SQLite, or the database in DATABASE_URL)
test: $(INSTALLED)
	$(BIN)/pytest

## lint: ruff and a check that no migration is missing
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

## messages: refresh the Italian catalogue after changing UI strings (needs gettext)
# makemessages updates locale/it only (the first of LOCALE_PATHS); compilemessages compiles
# every LOCALE_PATHS catalogue: locale/it and locale_django/it, the hand-kept corrections
# to Django's own strings that makemessages would delete from locale/it as unused.
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages --locale it --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --locale it --ignore '.venv/*'
