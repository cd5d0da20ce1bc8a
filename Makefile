# Two entry points for a fresh machine: `make run` (the product) and `make test` (the suite).
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run shell test lint typecheck messages demo bench clean

# Links in e-mails and printed by commands (invitations, webhook addresses) point where
# `make run` serves, unless SITE_URL is set.
run demo shell: export SITE_URL ?= http://127.0.0.1:$(PORT)

$(BIN)/python:
	@py=$$(scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/socialdesk migrate --no-input
	$(BIN)/socialdesk ensure_admin
	$(BIN)/socialdesk serve --port $(PORT)

# A shell with the venv on PATH, so `socialdesk …` works as the README writes it; `exit` leaves.
shell: $(VENV)/.installed
	@echo "socialdesk is on PATH in this shell (SITE_URL=$$SITE_URL); type exit to leave."
	@PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" $${SHELL:-/bin/sh}

# The suite runs on every core (pytest-xdist, one module per worker at a time, in the order
# of collection, where conftest.py puts the slow tests first); `make test PARALLEL=` runs it
# in one process.
PARALLEL ?= -n auto --dist loadscope --no-loadscope-reorder

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests conftest.py bench
	$(BIN)/ruff format --check src tests conftest.py bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src tests conftest.py bench

messages: $(VENV)/.installed
	cd src/socialdesk && ../../$(BIN)/socialdesk makemessages -l de --no-obsolete --add-location file && ../../$(BIN)/socialdesk compilemessages

demo: $(VENV)/.installed
	$(BIN)/socialdesk migrate --no-input
	$(BIN)/socialdesk demo

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/bench_inbox.py --rows $${ROWS:-1000000}
	$(BIN)/python bench/bench_needs_reply.py
	$(BIN)/python bench/bench_classify.py
	$(BIN)/python bench/bench_webhook.py
	$(BIN)/python bench/bench_mastodon.py
	$(BIN)/python bench/bench_bulk.py
	$(BIN)/python bench/bench_publishing.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
