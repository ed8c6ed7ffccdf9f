# Keel's two-command entry point: `make run` and `make test` do all set-up on a fresh Debian 12 machine.
# Everything else (configure, build, sanitizer build, benchmarks) is reachable from here too.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
# ccache is looked for when cmake runs (a recipe's shell), not when make reads this file: on a fresh
# machine `deps` installs it first, and the first build already uses it.
CCACHE_FLAGS = $$(command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CCACHE_FLAGS)
# ccache caches units built with a precompiled header (CMakeLists.txt, KEEL_PCH) only when told to.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: all deps configure build run test bench asan test-asan clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Serves on 127.0.0.1:8080 from ./data, seeding the demo platform into an empty data directory.
run: build
	$(BUILD_DIR)/bin/keel serve --data data --listen 127.0.0.1:8080 --demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

bench: build
	$(BUILD_DIR)/bin/keel-bench

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build directory.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKEEL_SANITIZE=ON $(CCACHE_FLAGS)
	cmake --build build-asan -j$(JOBS)

test-asan: asan
	cd build-asan && ctest --output-on-failure -j$(JOBS) --timeout 900

clean:
	rm -rf $(BUILD_DIR) build-asan
