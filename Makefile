# edge-node: build, demo, test and benchmark on Debian 12 with Swift 6.3 at /opt/swift.
# Every target installs what it needs (apt packages, pip peers) when it is missing.

SWIFT      ?= swift
APT_PKGS   := gpsd-clients
PIP_PKGS   := pynmea2
SHARED     ?= ../shared/data

.PHONY: all deps build demo test bench clean

all: build

# Debian packages and Python peers, installed only when missing.
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# Debian's own python3 refuses system-wide pip installs (PEP 668): fall back to --user.
	@for p in $(PIP_PKGS); do python3 -c "import $$p" 2>/dev/null || python3 -m pip install -q $$p \
	  || python3 -m pip install -q --user --break-system-packages $$p; done

build:
	$(SWIFT) build

# The README's first command: build and run the main job on the embedded default.
demo: build
	$(SWIFT) run -q edge-node demo

# The README's second command: every test, against the real peers.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Side-by-side benchmark against the peers; writes bench/out/ and prints ratios.
bench: deps
	$(SWIFT) build -c release --product edge-node
	$(SWIFT) build -c release --product nmea-bench
	bench/run-nmea

clean:
	rm -rf .build bench/out
