# floe: the two commands that matter are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE ?= cmake
PREFIX ?= /usr/local

# ccache: paths relative to the checkout and no working-directory hash, so a fresh clone elsewhere (CI)
# reuses what earlier builds on the machine compiled.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

RELEASE_DIR := build
TEST_DIR := build-test
BENCH_DIR := build-bench
FUZZ_DIR := build-fuzz

.PHONY: all deps build test test-build demo bench fuzz crash-test install clean docs

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja:
	$(CMAKE) -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DFLOE_TESTS=OFF

# A release binary at build/floe.
build: $(RELEASE_DIR)/build.ninja
	$(CMAKE) --build $(RELEASE_DIR) -j $(JOBS) --target floe

$(TEST_DIR)/build.ninja:
	$(CMAKE) -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFLOE_SANITIZE=ON -DFLOE_TESTS=ON

test-build: $(TEST_DIR)/build.ninja
	$(CMAKE) --build $(TEST_DIR) -j $(JOBS)

# Unit and integration tests under ASan+UBSan, plus short fuzz runs.
test: deps test-build
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: deps build
	$(RELEASE_DIR)/floe demo --dir ./floe-demo

$(BENCH_DIR)/build.ninja:
	$(CMAKE) -S . -B $(BENCH_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOE_TESTS=OFF -DFLOE_BENCH=ON

CRASH_DIR := build-crash
# The crash harness at full size (docs/RELIABILITY.md): optimised floe + the fault proxy, both stores.
crash-test: deps
	$(CMAKE) -S . -B $(CRASH_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOE_TESTS=ON
	$(CMAKE) --build $(CRASH_DIR) -j $(JOBS) --target floe fault_proxy
	FLOE_BIN=$(CURDIR)/$(CRASH_DIR)/floe FLOE_FAULT_PROXY=$(CURDIR)/$(CRASH_DIR)/tests/storage/fault_proxy \
	  FLOE_NODE_MODULES=$(CURDIR)/tests/tools/node_modules NODE_PATH=$(CURDIR)/tests/tools/node_modules \
	  FLOE_CRASH_SIZE=full FLOE_CRASH_STORE=$${FLOE_CRASH_STORE:-both} FLOE_CRASH_VERBOSE=1 \
	  FLOE_CRASH_REPORT=$(CURDIR)/$(CRASH_DIR)/crash-report.jsonl \
	  node --test --test-reporter=spec tests/crash/crash_test.mjs

bench: deps $(BENCH_DIR)/build.ninja
	$(CMAKE) --build $(BENCH_DIR) -j $(JOBS)
	bench/run.sh $(BENCH_DIR)

$(FUZZ_DIR)/build.ninja:
	CC=clang CXX=clang++ $(CMAKE) -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOE_TESTS=OFF -DFLOE_FUZZ=ON

# Long fuzz runs (FUZZ_SECONDS each); `make test` runs each target briefly.
FUZZ_SECONDS ?= 300
fuzz: deps $(FUZZ_DIR)/build.ninja
	$(CMAKE) --build $(FUZZ_DIR) -j $(JOBS)
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

install: build
	install -D -m 0755 $(RELEASE_DIR)/floe $(DESTDIR)$(PREFIX)/bin/floe

# docs/CONFIGURATION.md is generated from the settings table in src/config.
docs: build
	$(RELEASE_DIR)/floe config docs > docs/CONFIGURATION.md

clean:
	rm -rf $(RELEASE_DIR) $(TEST_DIR) $(BENCH_DIR) $(FUZZ_DIR)
