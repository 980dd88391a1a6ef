# The README's commands. Each target installs missing Debian packages first, then builds
# with CMake. build/ is the normal build, build-san/ the ASan+UBSan one, build-fuzz/ clang.
BUILD     ?= build
SAN_BUILD ?= build-san
JOBS      ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build build-san demo test test-fast test-san bench fuzz lint clean

all: build

deps:
	@bash deploy/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-san: deps
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVELA_SANITIZE=ON >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS)

demo: build
	@bash deploy/demo.sh $(BUILD)/bin

# Every test, in the normal build and again under AddressSanitizer + UBSan.
test: build build-san
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash bench/run.sh $(BUILD)/bin

# libFuzzer targets under sanitizers; FUZZ_SECONDS per target (default 60).
fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DVELA_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@bash fuzz/run.sh build-fuzz/bin $(or $(FUZZ_SECONDS),60)

# Static checks: format, cppcheck, clang-tidy, gcc -fanalyzer (docs/development.md).
lint: deps
	@JOBS=$(JOBS) BUILD=$(BUILD) bash scripts/lint.sh

clean:
	rm -rf $(BUILD) $(SAN_BUILD) build-fuzz build-analyzer
