# Saheli: `make run` serves the seeded forum, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: run test test-faults install lint bench eval-moderation train-detector clean translations

# What running needs, and nothing else (`make run`): pip shows what it fetches as it goes.
$(RUNTIME): pyproject.toml
	@echo "== Saheli: installing what running needs into $(VENV) (first time only) =="
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -e .
	$(MAKE) translations
	touch $(RUNTIME)

# The dev extra (tests, linters, the detector's training tools): `make test`, `make lint`.
$(STAMP): $(RUNTIME)
	@echo "== Saheli: installing the dev extra (tests, linters) =="
	$(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Compile the page catalogues (translations/*/LC_MESSAGES/messages.po -> .mo).
translations:
	$(BIN)/pybabel compile --statistics -d translations -D messages

install: $(STAMP)

run: $(RUNTIME) translations
	$(BIN)/forum init-db --seed
	$(BIN)/forum serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP) translations lint
	$(BIN)/pytest

# The fault-injection suite alone (issue #15): Redis restarted, unreachable and stopped under
# two live processes, a process killed, PostgreSQL connections dropped, racing writes and
# retries, corrupted counters. `make test` runs it too (it is under tests/).
test-faults: $(STAMP) translations
	$(BIN)/pytest tests/faults tests/security/test_faults.py tests/live/test_counter_races.py \
	  tests/forum/api/test_database_outage.py

# Every benchmark with its bound (needs wrk, PostgreSQL and Redis); writes bench/results.json.
# wrk comes from Debian's package when it is missing (as root; otherwise install it first).
bench: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is missing: installing Debian's package"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/run_all.py

# The lexicon pipeline on the labelled set, then the learned detector's table.
# Both always run (the detector's table is printed even when a bound of the first fails).
eval-moderation: $(STAMP)
	$(BIN)/python bench/eval_moderation.py; rc=$$?; \
	  $(BIN)/python bench/detector/evaluate.py && exit $$rc

# Refit the detectors (same data, same weights): the abuse model (abuse_model.json) and the harm
# model for threats and coercion (harm_model.json), both in moderation/domain/data/.
train-detector: $(STAMP)
	$(BIN)/python bench/detector/train.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
