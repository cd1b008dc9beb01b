# Two entry points: `make serve` and `make test` (see README.md). Both create .venv when missing.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
E2KG := $(VENV)/bin/e2kg
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test lint typecheck validate pytest browser allocator install install-dev bench clean

serve: install allocator
	$(E2KG) serve

test: install-dev browser allocator lint typecheck validate pytest

lint: install-dev
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

typecheck: install-dev
	$(VENV)/bin/mypy

# CI fails when a graph file stops conforming; skipped only while graph/ holds no Turtle yet.
validate: install-dev
	@if find graph -name '*.ttl' 2>/dev/null | grep -q .; then \
		$(E2KG) validate graph/; \
	else \
		echo "graph/ has no .ttl files yet: skipping validation"; \
	fi

pytest: install-dev
	$(PYTHON) -m pytest -q

# Debian's Chromium for the browser tests (Playwright drives it); installed only when missing.
browser:
	@test -x $(CHROMIUM) || { \
		echo "installing Debian chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's jemalloc: the query worker processes run with it where it is installed (heavy queries
# cost ~25 % less CPU than with glibc's malloc, docs/performance.md); installed only when missing.
JEMALLOC := /usr/lib/$(shell uname -m)-linux-gnu/libjemalloc.so.2
allocator:
	@test -e $(JEMALLOC) || { \
		echo "installing Debian libjemalloc2 for the query workers"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libjemalloc2 >/dev/null; }

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(PYTHON):
	python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

# Benchmarks beside oxigraph serve and rdflib-endpoint (docs/performance.md); not part of `make test`.
# rdflib-endpoint gets its own venv so its dependencies never touch the project's. BENCH_ARGS, e.g.
# BENCH_ARGS='--sizes 1000000 --seconds 10', is passed to bench/harness.py.
BENCH_VENV := bench/.venv-rdflib-endpoint

bench: $(VENV)/.installed-bench $(BENCH_VENV)/.installed allocator
	$(PYTHON) bench/harness.py $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[bench]'
	@touch $@ $(VENV)/.installed

$(BENCH_VENV)/.installed: bench/requirements-rdflib-endpoint.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r bench/requirements-rdflib-endpoint.txt
	@touch $@

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist src/*.egg-info
