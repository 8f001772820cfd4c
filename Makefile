# Vigil: `make demo` and `make test` each do all set-up on a fresh machine, then run.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/vigil/web/static/vendor
# Debian packages the project needs: jq (bundle checks by hand, and its test),
# postgresql (multi-user tests, `make test-pg`, `make team`), nginx (`make team`'s proxy, and its
# test), chromium (web tests), tesseract (screenshot OCR; colour emoji for its test pages), a
# Java runtime (Spark).
APT_PACKAGES := jq unzip postgresql nginx libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium libicu-dev pkg-config gcc g++ libavcodec-dev libavformat-dev libswscale-dev libavutil-dev libavdevice-dev libavfilter-dev libswresample-dev cmake tesseract-ocr tesseract-ocr-eng default-jre-headless fonts-noto-color-emoji
PYTEST_ARGS ?=

.PHONY: setup apt demo test lint typecheck unit slow clean model eval test-pg team team-stop team-status

# Bytecode for Vigil's own modules too (an editable install has none, and where
# PYTHONDONTWRITEBYTECODE is set every `vigil scan` would compile them again): only stale files.
setup: $(VENV)/.installed $(VENDOR)/.installed
	@$(BIN)/python -m compileall -q src >/dev/null

# Front-end libraries (the link graph's cytoscape, axe-core for the accessibility tests) come
# from the npm registry at set-up, pinned by web-assets/package-lock.json, and are copied into
# the static folder the server serves (never committed, never fetched from a CDN at run time).
$(VENDOR)/.installed: web-assets/package.json web-assets/package-lock.json
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory apt APT_PACKAGES="nodejs npm"
	cd web-assets && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp web-assets/node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)/
	cp web-assets/node_modules/axe-core/axe.min.js $(VENDOR)/
	touch $@

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml src/vigil/analysis/learn/_grams.c
	@$(MAKE) --no-print-directory apt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: setup
	bash scripts/demo.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q -n 2 -m "not slow" $(PYTEST_ARGS)

test: lint typecheck unit

# The long suites (tests/slow/, and the demo's second and PostgreSQL builds): 1M messages
# ingested and triaged; a 300 MB export ingested,
# interrupted and killed mid-way. One process: the ingest starts its own parse worker.
slow: setup
	$(BIN)/pytest -q -m slow $(PYTEST_ARGS)

# The unit suite again with every test workspace in a PostgreSQL database of its own (one
# throw-away server per pytest worker, from Debian's binaries; tests/pgmode.py). Tests about
# SQLite itself are marked sqlite_only and skipped.
test-pg: setup
	VIGIL_TEST_DB=postgresql $(BIN)/pytest -q -n 2 -m "not slow" $(PYTEST_ARGS)

# A team server in one command (docs/deploy.md): PostgreSQL, `vigil serve` on loopback and nginx
# with TLS in front. Not root, or TEAM_ARGS=--local: everything under ./team-data (TEAM_DATA),
# https on port 8443 (TEAM_PORT). Root on a systemd server: Debian's PostgreSQL, a service account,
# the systemd unit and an nginx site on 443.
TEAM_ARGS ?=
team: setup
	bash deploy/team.sh start $(TEAM_ARGS)

team-stop:
	bash deploy/team.sh stop $(TEAM_ARGS)

team-status:
	bash deploy/team.sh status $(TEAM_ARGS)

# The default model, trained through the evaluation harness on ../shared/eval/grooming/dev.bin
# (the data never leaves the harness's private folder; only weights come out).
model: setup
	bash scripts/train_default_model.sh

# Real-data quality of the shipped scorer, written into docs/triage.md ("Quality").
eval: setup
	$(BIN)/python scripts/eval_report.py

clean:
	rm -rf $(VENV) vigil-data .pytest_cache .mypy_cache .ruff_cache web-assets/node_modules $(VENDOR)
