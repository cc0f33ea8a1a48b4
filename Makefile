# SafeKey — the two set-up commands are `make demo` (the main job) and `make test` (the whole suite).
# Each installs what it lacks (OpenBLAS, zlib and Open MPI through apt) and builds what it needs.
# Open MPI is loaded at run time only by `mpirun -np N safekey train` (issue 19); nothing links it.

SWIFT ?= swift
# Release build tuned for this machine's CPU (AVX-512 where present). Passed here, not in
# Package.swift, so the package stays usable as a dependency (unsafeFlags would forbid that).
RELEASE := -c release -Xswiftc -target-cpu -Xswiftc native
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo demo-real test bench fuzz clean

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openblas || ! pkg-config --exists zlib; then \
	  echo "installing libopenblas-dev, zlib1g-dev and pkg-config (apt)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libopenblas-dev zlib1g-dev pkg-config; \
	fi
	@if ! command -v mpirun >/dev/null 2>&1 || ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libmpi\.so\.40 '; then \
	  echo "installing openmpi-bin and libopenmpi3 (apt) for data-parallel training"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openmpi-bin libopenmpi3; \
	fi

build: deps
	$(SWIFT) build $(RELEASE) --product safekey

# The main job: the paper's experiment in the synthetic world (README "The demo"); DEMO_FLAGS=--quick for a short run.
demo: build
	$(SWIFT) run $(RELEASE) --skip-build safekey demo --output demo-output $(DEMO_FLAGS)

# The SafeKey experiment on the real SmolLM2-135M-Instruct GGUF (README "The real-model experiment").
demo-real: build
	bash Scripts/demo_real.sh

test: deps
	$(SWIFT) build $(RELEASE) --build-tests
	$(SWIFT) test $(RELEASE) --skip-build

# Opt-in robustness run (issue 20): the parser fuzz tests with 20,000 inputs per parser, then the
# corpus of malformed inputs and faults through the binary (Scripts/fuzz-corpus.sh; see README).
fuzz: deps
	$(SWIFT) build $(RELEASE) --build-tests
	SAFEKEY_FUZZ_ITERATIONS=$${SAFEKEY_FUZZ_ITERATIONS:-20000} $(SWIFT) test $(RELEASE) --skip-build --filter ParserFuzzTests
	Scripts/fuzz-corpus.sh .build/release/safekey

bench: build
	$(SWIFT) run $(RELEASE) --skip-build safekey bench ops

clean:
	rm -rf .build
