# The only entry point for people and CI. Every target creates the venv when it is missing.
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed-stamp
ARCHIVE  ?= sample
DB_NAME  := archive
DB       := build/$(DB_NAME).db
HOST     ?= 127.0.0.1
PORT     ?= 8001
ETL_SRC  := $(wildcard etl/*.py etl/*/*.py)
ARCHIVE_FILES := $(shell find $(ARCHIVE) -type f 2>/dev/null)

DS_DIRS  := --metadata metadata.yml --plugins-dir plugins --template-dir templates
SETTINGS := --setting sql_time_limit_ms 3000 --setting default_cache_ttl 3600 \
            --setting allow_download off

.PHONY: install build serve publish test test-fast lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(DB)

# Rebuilt when the archive or the ETL changes; a failed build leaves the old file untouched.
$(DB): $(STAMP) $(ETL_SRC) $(ARCHIVE_FILES)
	$(BIN)/tweets-etl build $(DB) $(ARCHIVE)

serve: $(DB)
	$(BIN)/datasette $(DB) $(DS_DIRS) $(SETTINGS) -h $(HOST) -p $(PORT) --reload

publish: $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file build/inspect-data.json
	@echo "Serving $(DB) at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/datasette -i $(DB) --inspect-file build/inspect-data.json $(DS_DIRS) $(SETTINGS) \
	    -h $(HOST) -p $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration"

lint: $(STAMP)
	$(BIN)/ruff check etl plugins tests bench
	$(BIN)/ruff format --check etl plugins tests bench

format: $(STAMP)
	$(BIN)/ruff format etl plugins tests bench
	$(BIN)/ruff check --fix etl plugins tests bench

bench: $(STAMP)
	$(BIN)/python bench/build_speed.py
	$(BIN)/python bench/entities_accuracy.py ../shared/archives/alrocar__x/data/tweets.js \
	    ../shared/archives/dsajgiouawj__TweetArchive/data/tweet.js

clean:
	rm -rf build/
