# Two entry points for a fresh machine: `make run` (the product) and `make test` (the suite).
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint typecheck messages demo bench clean

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

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
