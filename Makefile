# ducha: every target sets itself up first (venv, packages, Debian packages when root).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export PICCOLO_CONF := piccolo_conf

.PHONY: setup system system-test debs pwa run test check lint fuzz test-sqlite test-postgres test-pwa bench screenshots clean

# Debian packages: fonts-noto-cjk (Chinese in PDFs and watermarks), libharfbuzz-subset0 (fast
# font subsetting in WeasyPrint), poppler-utils (pdftotext/pdffonts in tests), libpango (WeasyPrint).
DEBS := fonts-noto-cjk libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0

# the browser tests drive Debian's Chromium (headless); faketime runs the suite at awkward instants
TEST_DEBS := chromium faketime

system:
	@$(MAKE) --no-print-directory debs PACKAGES="$(DEBS)"

system-test:
	@$(MAKE) --no-print-directory debs PACKAGES="$(DEBS) $(TEST_DEBS)"

debs:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian packages:$$missing"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else echo "please install Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

# the phone app: npm packages from the lock file, then the built shell in pwa/dist
PWA_SRC := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/build.mjs

pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory debs PACKAGES="nodejs npm"
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SRC)
	cd pwa && npm run --silent build

pwa: pwa/dist/index.html

setup: system $(STAMP) pwa

run: setup
	$(BIN)/ducha demo
	$(BIN)/ducha serve

# the whole matrix, two legs at a time (tests/run_all.py): ruff and mypy, the node tests, the suite
# with the browser tests on SQLite and on PostgreSQL, the awkward instants, the fuzz, a smoke run of
# every benchmark; then each leg's time and the total
test: setup system-test
	$(BIN)/python -m tests.run_all

# the quick loop: ruff, the phone app's node tests, the server-side suite on SQLite (no browser)
check: setup
	$(BIN)/ruff check server tests bench
	cd pwa && npm test --silent
	$(BIN)/python -m pytest tests --ignore=tests/pwa

# ruff (its default rules, see pyproject.toml) over the server, the tests and the benchmarks; mypy over
# the server (pyproject.toml lists the modules whose errors do not fail the build yet)
lint: setup
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy

# schemathesis against a demo server as three roles: no 5xx, no undocumented status, schema or content type
fuzz: setup
	$(BIN)/python -m tests.fuzz --examples $(or $(EXAMPLES),100)

test-sqlite: setup
	$(BIN)/python -m pytest

test-postgres: setup
	DUCHA_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

test-pwa: setup system-test
	cd pwa && npm test --silent
	$(BIN)/python -m pytest tests/pwa

bench: setup system-test
	$(BIN)/python -m bench

# the main screens at 360x740, into pwa/docs/ (linked from the README)
screenshots: setup system-test
	$(BIN)/python pwa/docs/screenshots.py

clean:
	rm -rf $(VENV) var/ducha.sqlite* pwa/node_modules pwa/dist
