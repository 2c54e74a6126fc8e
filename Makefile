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
WHEELHOUSE := build/wheelhouse
ARCHIVE_FILES := $(shell find $(ARCHIVE) -type f 2>/dev/null)

TARGET   ?= local
OUT      ?=
NAME     ?= tweet-archive
REDACT   ?= $(wildcard redact.yml)
PRIVATE  := $(if $(INCLUDE_DELETED),--include-deleted) $(if $(INCLUDE_CIRCLE),--include-circle) \
            $(if $(INCLUDE_LIKES),--include-likes)
BUILD_OPTS := $(PRIVATE) $(if $(OWNER),--owner $(OWNER))
PUBLISH  := --target $(TARGET) --host $(HOST) --port $(PORT) --name $(NAME) $(PRIVATE) \
            $(if $(OUT),--out $(OUT)) $(if $(REDACT),--redact $(REDACT)) \
            $(if $(MEDIA_URL),--media-url $(MEDIA_URL)) $(if $(DRY_RUN),--dry-run) \
            $(if $(ROBOTS),--robots $(ROBOTS)) $(if $(SITE_URL),--site-url $(SITE_URL)) $(if $(ALLOW_MISSING_MEDIA),--allow-missing-media)

.PHONY: install build serve explore publish test test-all test-fast lint format bench loadtest clean FORCE

install: $(STAMP) $(WHEELHOUSE)/.stamp

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,publish]'
	touch $(STAMP)

# Wheels of the site's pinned requirements, so tests can build the deployable folder's venv
# offline.
$(WHEELHOUSE)/.stamp: $(STAMP) etl/site.py
	mkdir -p build
	$(BIN)/python -c "from etl.site import SITE_REQUIREMENTS; print(*SITE_REQUIREMENTS, sep='\n')" \
	    > build/site-requirements.txt
	$(BIN)/python -m pip wheel --quiet -w $(WHEELHOUSE) -r build/site-requirements.txt
	touch $@

build: $(DB)

# Rebuilt when the archive, the ETL or the build options change; a failed build leaves the
# old file untouched.
$(DB): $(STAMP) $(ETL_SRC) $(ARCHIVE_FILES) build/.options
	$(BIN)/tweets-etl build $(DB) $(ARCHIVE) $(BUILD_OPTS)

build/.options: FORCE
	@mkdir -p build
	@echo '$(ARCHIVE) $(BUILD_OPTS)' | cmp -s - $@ || echo '$(ARCHIVE) $(BUILD_OPTS)' > $@

# The site as `make publish` serves it, restarting when plugins or templates change.
serve: $(DB)
	$(BIN)/tweets-etl publish $(DB) --target local --host $(HOST) --port $(PORT) --reload

# The owner's own database: everything the archive holds, DMs and followers too (--private),
# served on 127.0.0.1 only; `tweets-etl publish` refuses it for every other target.
PRIVATE_DB := build/private.db

explore: $(STAMP)
	$(BIN)/tweets-etl build $(PRIVATE_DB) $(ARCHIVE) --private $(if $(OWNER),--owner $(OWNER))
	$(BIN)/tweets-etl publish $(PRIVATE_DB) --target local --host 127.0.0.1 --port $(PORT)

# TARGET=local (default): serve on HOST:PORT; TARGET=dir OUT=path: a deployable folder;
# TARGET=cloudrun|heroku|fly|vercel: deploy (DRY_RUN=1 prints the command instead).
publish: $(DB)
	$(BIN)/tweets-etl publish $(DB) $(PUBLISH)

# Test files are shared among JOBS processes (pytest-xdist; one file's tests run in one, so a
# module's fixtures are made once): about 15 minutes on two cores. JOBS=0: serial.
JOBS     ?= 2
PARALLEL := $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile)

test: $(STAMP) $(WHEELHOUSE)/.stamp
	$(BIN)/python -m pytest -q $(PARALLEL) -m "not exhaustive"

# Everything, with the slow variations too (e.g. every page in dark mode on a desktop).
test-all: $(STAMP) $(WHEELHOUSE)/.stamp
	$(BIN)/python -m pytest -q $(PARALLEL)

# The edit-test loop: no real archives, no Chromium, nothing that takes seconds (each tier has
# its marker: integration, browser, slow; see pyproject.toml).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration and not exhaustive and not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check etl tweet_site tests bench
	$(BIN)/ruff format --check etl tweet_site tests bench

format: $(STAMP)
	$(BIN)/ruff format etl tweet_site tests bench
	$(BIN)/ruff check --fix etl tweet_site tests bench

# The build against the floor at 100k and 1M tweets (several minutes), then entities, site and
# publish (the database step against a plain copy, at 1M tweets), the static export (against
# bare pages, at 100k tweets), a private build of a 1 GiB direct-messages.js (against a plain
# streaming loader; generated once into build/dm_speed/) and of a million one-message
# conversations (peak only);
# every bench runs, and the recipe fails at the end if any missed a target.
bench: $(STAMP)
	status=0; \
	$(BIN)/python bench/build_speed.py || status=$$?; \
	$(BIN)/python bench/entities_accuracy.py ../shared/archives/alrocar__x/data/tweets.js \
	    ../shared/archives/dsajgiouawj__TweetArchive/data/tweet.js || status=$$?; \
	$(BIN)/python bench/site_speed.py || status=$$?; \
	$(BIN)/python bench/publish_speed.py || status=$$?; \
	$(BIN)/python bench/static_speed.py || status=$$?; \
	$(BIN)/python bench/dm_speed.py || status=$$?; \
	$(BIN)/python bench/dm_speed.py --conversations 1000000 || status=$$?; \
	exit $$status

# Once at 5,000,000 tweets: time, peak memory and size, no targets (~25 GB of disk in TMPDIR;
# the official floor is skipped: it would need ~36 GiB of memory for the 7 GB tweets.js).
.PHONY: bench-5m
bench-5m: $(STAMP)
	$(BIN)/python bench/build_speed.py --sizes 5000000

# Not part of `make test`: builds (once, cached in build/loadtest/) and loads a big site.
LOAD_TWEETS  ?= 1000000
LOAD_CLIENTS ?= 20
LOAD_SECONDS ?= 60
loadtest: $(STAMP)
	$(BIN)/python bench/loadtest.py --tweets $(LOAD_TWEETS) --clients $(LOAD_CLIENTS) \
	    --seconds $(LOAD_SECONDS)

clean:
	rm -rf build/
