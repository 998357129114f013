# Saheli: `make run` serves the seeded forum, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench eval-moderation clean translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(MAKE) translations
	touch $(STAMP)

# Compile the page catalogues (translations/*/LC_MESSAGES/messages.po -> .mo).
translations:
	$(BIN)/pybabel compile --statistics -d translations -D messages

install: $(STAMP)

run: $(STAMP) translations
	$(BIN)/forum init-db --seed
	$(BIN)/forum serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) translations lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py

eval-moderation: $(STAMP)
	$(BIN)/python bench/eval_moderation.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
