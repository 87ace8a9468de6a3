# Casebridge: one entry point to set up a machine, run the app, test and ship it.
#
#   make run     install what is missing, build, open the app on built-in demo data
#   make test    install what is missing, run every test (what CI runs)
#
# Every target installs only what is missing, so a second run skips setup in
# about a second. `make help` lists the rest.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Cargo serialises on its own lock and this machine class has 2 cores: running
# targets in parallel only interleaves their output.
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

CARGO ?= cargo
NPM ?= npm
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
APP_BIN := $(TARGET_DIR)/debug/casebridge-desktop
ARTIFACTS := $(CURDIR)/test-artifacts
UNAME := $(shell uname -s)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
TAURI := $(CURDIR)/ui/node_modules/.bin/tauri
COMMA := ,

# Tauri's Linux build and e2e stack (reference: linux-build.md section 5), plus
# libdbus-1-dev (keyring's Secret Service backend links libdbus), imagemagick
# (screenshots of the whole screen), xdg-utils (deep-link registration),
# python3-venv (the conformance script builds its own schemathesis venv) and
# xdotool (the import e2e types a path into the GTK save dialog).
APT_PACKAGES := \
	build-essential curl wget file pkg-config libssl-dev libxdo-dev \
	libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev \
	webkit2gtk-driver xvfb xauth dbus-x11 gnome-keyring libsecret-tools at-spi2-core \
	libdbus-1-dev imagemagick xdg-utils python3-venv xdotool

# Runs a command inside a throwaway desktop: a virtual X screen, a private
# D-Bus session and an unlocked gnome-keyring in a temporary directory. Nested
# uses share the outer session.
DESKTOP_SESSION := tests/e2e/desktop-session.sh

# One benchmark per line: `name | issue | command`. A line without a command
# says "not built yet"; the issue that builds the benchmark fills in its command.
define BENCHES
submit-throughput   | 4 | cargo bench -q -p casebridge-engine --bench submit_throughput
qbo-fetch           | 5 | cargo bench -q -p casebridge-providers --bench qbo_fetch
zoho-fetch          | 5 | cargo bench -q -p casebridge-providers --bench zoho_fetch
import-1m-csv       | 6 | cargo bench -q -p casebridge-engine --bench import_1m_csv
stripe-sliced-fetch | 7 | cargo bench -q -p casebridge-providers --bench stripe_fetch
review-100k         | 7 | cargo bench -q -p casebridge-engine --bench review_100k
endef
export BENCHES

.PHONY: help deps deps-apt deps-toolchain deps-npm deps-tauri-driver \
	ui app run check-display \
	test test-rust lint-clippy test-ui check-bindings test-conformance test-session test-e2e \
	bench fuzz bundle icons fmt lint clean-artifacts

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- setup

deps: deps-toolchain deps-apt deps-npm deps-tauri-driver ## install everything the build and tests need (idempotent)

deps-toolchain:
	@command -v $(CARGO) >/dev/null || { echo "error: cargo not found. Install Rust with rustup (https://rustup.rs), then rerun." >&2; exit 1; }
	@command -v node >/dev/null && command -v $(NPM) >/dev/null || { echo "error: node/npm not found. Install Node.js 20.19 or newer (Vite 8 needs it), then rerun." >&2; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
		|| { echo "error: Node.js $$(node --version) is too old; Vite 8 needs 20.19 or newer." >&2; exit 1; }

deps-apt:
	@if [ "$(UNAME)" != Linux ] || ! command -v apt-get >/dev/null; then \
		echo "deps: no apt-get here; install Tauri's prerequisites for your OS (https://v2.tauri.app/start/prerequisites/)."; exit 0; fi; \
	missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii' || echo "$$p"; done); \
	if [ -z "$$missing" ]; then echo "deps: apt packages present"; exit 0; fi; \
	echo "deps: installing" $$missing; \
	export DEBIAN_FRONTEND=noninteractive; \
	$(SUDO) apt-get update -q; \
	$(SUDO) apt-get install -y -q --no-install-recommends $$missing

deps-npm: ui/node_modules/.npm-ci.stamp

# npm ci wipes node_modules, so it runs only when the lockfile changed.
ui/node_modules/.npm-ci.stamp: ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund
	@touch $@

deps-tauri-driver:
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version '^2'

# ---------------------------------------------------------------- build and run

ui: deps-npm ## build the web UI into ui/dist
	cd ui && $(NPM) run build

app: ui ## build the desktop app (debug, serving ui/dist)
	$(CARGO) build --locked -p casebridge-desktop --features custom-protocol

run: check-display deps ui ## open the app in demo mode (built-in fake servers, separate data)
	$(CARGO) run --locked -p casebridge-desktop --features custom-protocol -- --demo

check-display:
	@if [ "$(UNAME)" = Linux ] && [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "error: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window has nowhere to open." >&2; \
		echo "hint: on a desktop, run this in its terminal; on a headless machine, smoke-test with: xvfb-run make run" >&2; \
		exit 1; fi

# ---------------------------------------------------------------- tests

test: deps ui lint-clippy test-ui test-conformance test-session ## run every test (what CI runs)
	@echo "make test: every stage passed"

test-rust: ## cargo tests of the engine crates (keychain tests too when inside a desktop session)
	$(CARGO) test --locked --no-fail-fast

lint-clippy:
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

test-ui: deps-npm ## type-check the web UI (svelte-check) and run its vitest unit tests
	cd ui && $(NPM) run check && $(NPM) test

# The engine writes its ts-rs wire types into ui/src/gen; committed copies must
# match what the Rust types produce now. Same crate set and features as
# test-rust (not `-p casebridge-engine`), so it reuses that build: with `-p` the
# different feature unification recompiled much of the tree (9 min cold here).
check-bindings:
	$(CARGO) test --locked export_bindings
	@if [ ! -d ui/src/gen ]; then echo "check-bindings: ui/src/gen does not exist yet, nothing to compare"; exit 0; fi; \
	if [ -n "$$(git status --porcelain -- ui/src/gen)" ]; then \
		git status --short -- ui/src/gen; git --no-pager diff -- ui/src/gen; \
		echo "error: ui/src/gen is out of date with the Rust types; commit the regenerated files." >&2; exit 1; fi; \
	echo "check-bindings: ui/src/gen is up to date"

test-conformance: ## the sandbox against the agency's published OpenAPI spec (schemathesis)
	bash tests/conformance/run-schemathesis.sh

# Keychain tests and the e2e suite share one throwaway desktop session. -k: a
# failing unit test still lets the e2e suite run, so one CI run shows both.
test-session: deps-tauri-driver
	CASEBRIDGE_KEYRING_TESTS=1 $(DESKTOP_SESSION) $(MAKE) -k test-rust check-bindings test-e2e

test-e2e: app deps-tauri-driver ## drive the real app window (WebDriver via tauri-driver, under Xvfb)
	@mkdir -p $(ARTIFACTS)/e2e
	CASEBRIDGE_APP=$(APP_BIN) CASEBRIDGE_E2E_ARTIFACTS=$(ARTIFACTS)/e2e \
		$(DESKTOP_SESSION) node --test --test-concurrency=1 tests/e2e/specs/*.test.mjs

# ---------------------------------------------------------------- bench, bundle, housekeeping

bench: ## run the benchmarks (numbers only from real runs)
	@while IFS='|' read -r name issue cmd; do \
		name=$$(echo $$name); issue=$$(echo $$issue); \
		if [ -z "$${cmd// }" ]; then echo "bench $$name: not built yet (issue $$issue)"; continue; fi; \
		echo "bench $$name (issue $$issue): $$cmd"; bash -c "$$cmd"; \
	done <<< "$$BENCHES"

# Seconds per fuzz target; libFuzzer's findings land in src-tauri/crates/import/fuzz/artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := sniff values zip_documents match_documents

fuzz: ## fuzz the import parsers with cargo fuzz (nightly), FUZZ_SECONDS per target (default 60)
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd src-tauri/crates/import/fuzz && for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t for $(FUZZ_SECONDS) s"; \
		$(CARGO) +nightly fuzz run -O $$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 || exit 1; \
	done

# ui/scripts/tauri.mjs points the Tauri CLI at the root tauri.conf.json; its
# beforeBuildCommand builds the UI. The AppImage step downloads AppRun and
# linuxdeploy from GitHub on first use (cached in ~/.cache/tauri); where only
# package registries are reachable, `make bundle BUNDLES=deb`.
BUNDLES ?= $(if $(filter Linux,$(UNAME)),deb$(COMMA)appimage)
bundle: deps ## build installers (Linux: .deb and AppImage) into target/release/bundle
	cd ui && $(NPM) run tauri -- build $(if $(BUNDLES),--bundles $(BUNDLES)) || { \
		echo "hint: an AppImage needs AppRun and linuxdeploy, which Tauri downloads from GitHub into ~/.cache/tauri;" >&2; \
		echo "      without that access build only the .deb: make bundle BUNDLES=deb" >&2; exit 1; }

icons: deps-npm ## re-render icons/ from icons/source/casebridge.svg
	$(TAURI) icon icons/source/casebridge.svg --output icons
	rm -rf icons/android icons/ios

fmt: ## format the Rust code
	$(CARGO) fmt --all

lint: lint-clippy ## clippy (deny warnings) and rustfmt check
	$(CARGO) fmt --all -- --check

clean-artifacts: ## remove test screenshots and bundles (keeps the cargo cache)
	rm -rf $(ARTIFACTS) $(TARGET_DIR)/release/bundle
