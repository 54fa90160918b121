# bae: the two entry points of the README.
#   make demo  — set up (system packages, default model), build, run the main job
#   make test  — set up, build, run the test suite
.PHONY: setup build demo test clean
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product bae

demo: build
	bash scripts/demo.sh

test:
	bash scripts/setup.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build out
