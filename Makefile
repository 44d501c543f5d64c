# ducha: every target sets itself up first (venv, packages, Debian packages when root).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export PICCOLO_CONF := piccolo_conf

.PHONY: setup system run test test-sqlite test-postgres bench clean

# Debian packages: fonts-noto-cjk (Chinese in PDFs and watermarks), libharfbuzz-subset0 (fast
# font subsetting in WeasyPrint), poppler-utils (pdftotext/pdffonts in tests), libpango (WeasyPrint).
DEBS := fonts-noto-cjk libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0

system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
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

setup: system $(STAMP)

run: setup
	$(BIN)/ducha demo
	$(BIN)/ducha serve

test: setup
	$(BIN)/python -m tests.run_all

test-sqlite: setup
	$(BIN)/python -m pytest

test-postgres: setup
	DUCHA_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/ducha.sqlite*
