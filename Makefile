# edge-node: build, demo, test and benchmark on Debian 12 with Swift 6.3 at /opt/swift.
# Every target installs what it needs (apt packages, pip peers) when it is missing.

SWIFT      ?= swift
BUILD_APT  := pkg-config g++ libkissfft-dev libgeographiclib-dev libgpiod-dev libmodbus-dev libyaml-dev
PEER_APT   := gpsd-clients socat mbpoll systemd
# Python peers as module[:package] (the package to install when the module is missing).
PIP_PKGS   := pynmea2 numpy scipy geographiclib eviltransform pymodbus serial:pyserial
SHARED     ?= ../shared/data

.PHONY: all build-deps deps build demo test bench fuzz static install install-cross install-files clean cross cross-test

all: build

# Debian packages and Python peers, installed only when missing: build-deps for building,
# deps for the peers the tests and benchmarks run against as well.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

build-deps:
	$(call apt_install,$(BUILD_APT))

deps: build-deps
	$(call apt_install,$(PEER_APT))
	@# Debian's own python3 refuses system-wide pip installs (PEP 668): fall back to --user.
	@for p in $(PIP_PKGS); do m=$${p%%:*}; k=$${p##*:}; python3 -c "import $$m" 2>/dev/null || python3 -m pip install -q $$k \
	  || python3 -m pip install -q --user --break-system-packages $$k; done

build: build-deps
	$(SWIFT) build

# The README's first command: build and run the main job on the embedded default.
demo: build
	$(SWIFT) run -q edge-node demo

# The README's second command: every test, against the real peers.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@# The firmware build (the cores as Embedded Swift): edge-node-lite for this machine, riscv64
	@# and aarch64 (their libraries from Debian trixie through a private apt state), run natively
	@# and under qemu-user and checked against edge-node.
	SWIFTC=$$(dirname $$(command -v $(SWIFT)))/swiftc scripts/embedded-build x86_64 .build-cross/x86_64
	SWIFTC=$$(dirname $$(command -v $(SWIFT)))/swiftc scripts/cross-build lite
	scripts/cross-test lite
	@# The tests whose threads share memory in this process again under ThreadSanitizer (the ring's
	@# two-thread stress test, EdgeIO's services, pollers and serial ports, the data plane's
	@# subscribers), optimised so that generic code is specialised into the tests and every
	@# access is instrumented.
	$(SWIFT) build -c release -Xswiftc -enable-testing --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test -c release -Xswiftc -enable-testing --skip-build --sanitize=thread --scratch-path .build-tsan \
	  --filter 'RingTests|EdgeIOTests|PointStoreTests|ModbusEngineTests' 

# Side-by-side benchmark against the peers; writes bench/out/ and prints ratios.
bench: deps
	$(SWIFT) build -c release --product edge-node
	$(SWIFT) build -c release --product nmea-bench
	$(SWIFT) build -c release --product pm-bench
	$(SWIFT) build -c release --product patrol-bench
	$(SWIFT) build -c release --product io-bench
	$(SWIFT) build -c release --product modbus-bench
	$(STATIC_BUILD)
	bench/run-nmea
	bench/run-pm
	bench/run-patrol
	bench/run-io
	bench/run-modbus
	bench/run-daemon

# The binary a gateway runs: the Swift runtime linked in, so that it needs no Swift toolchain
# there (only the Debian libraries: libmodbus, libgpiod, libkissfft, libGeographicLib, libyaml). Linked
# by the toolchain's lld for a smaller resident set: relative relocations packed (DT_RELR, glibc
# 2.36+: 38 KB instead of 2.3 MB read at every start) and no symbols exported (nothing loads
# plugins into it; the dynamic loader no longer searches 20,000 names first for every libc
# symbol); the functions the daemon runs laid out together, in the order bench/order-daemon
# measured (names no longer present are skipped; a stale order costs memory, not correctness).
STATIC_BUILD = $(SWIFT) build -c release --product edge-node --static-swift-stdlib --scratch-path .build-static \
	-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
	-Xlinker --symbol-ordering-file=$(CURDIR)/bench/daemon.order -Xlinker --no-warn-symbol-ordering

# libFuzzer over each FuzzTarget (NMEA stream, Modbus registers, YAML files, vibration analysis)
# for FUZZ_SECONDS each, with AddressSanitizer, starting from the committed corpus in fuzz/corpus/.
# What it learns stays in .build-fuzz/corpus/; a crash leaves its input in .build-fuzz/crashes/
# and stops here: copy it into fuzz/corpus/TARGET/ so that make test replays it for ever.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= nmea modbus yaml vibration
fuzz: build-deps
	@# lld: gold stops with an internal error on the instrumented objects.
	$(SWIFT) build -c release --product edge-node-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
	  -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
	@mkdir -p .build-fuzz/crashes
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$target; \
	  echo "fuzz $$target: $(FUZZ_SECONDS) s"; \
	  EDGE_NODE_FUZZ_TARGET=$$target .build-fuzz/release/edge-node-fuzz .build-fuzz/corpus/$$target fuzz/corpus/$$target \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=20 -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/crashes/$$target- > .build-fuzz/$$target.log 2>&1 \
	    || { tail -n 40 .build-fuzz/$$target.log; exit 1; }; \
	  grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb' .build-fuzz/$$target.log; \
	done

# The gateway binary alone, in .build-static/release/edge-node.
static: build-deps
	$(STATIC_BUILD)

# The daemon on a gateway: the binary, the systemd unit, the profiles and routes under
# /etc/edge-node, a default site there unless one exists, the udev rule that gives GPIO chips
# to the gpio group (created when missing). DESTDIR stages a package.
# The binary goes in without symbols and debug information (22 MB of flash instead of 56); those
# go where gdb and coredumpctl find them by build ID, as Debian's dbgsym packages put them.
# DEBUG_INFO=no leaves them out (35 MB less; a core dump then shows addresses only).
PREFIX ?= /usr/local
DEBUG_INFO ?= yes
install: build-deps
	$(STATIC_BUILD)
	$(MAKE) --no-print-directory install-files BINARY=.build-static/release/edge-node OBJCOPY=objcopy

# The same for a gateway of another architecture, staged from make cross's build (DESTDIR names
# the gateway's root or a staging folder): the daemon where there is one (aarch64), and
# edge-node-lite. E.g. make install-cross ARCH=aarch64 DESTDIR=/tmp/gateway
ARCH ?= aarch64
install-cross:
	@test -x .build-cross/$(ARCH)/edge-node-lite || { echo "no .build-cross/$(ARCH): run make cross first"; exit 1; }
	install -D -m 0755 .build-cross/$(ARCH)/edge-node-lite $(DESTDIR)$(PREFIX)/bin/edge-node-lite
	if [ -x .build-cross/$(ARCH)/build/$(ARCH)-unknown-linux-gnu/release/edge-node ]; then \
	  $(MAKE) --no-print-directory install-files BINARY=.build-cross/$(ARCH)/build/$(ARCH)-unknown-linux-gnu/release/edge-node \
	    OBJCOPY=$(ARCH)-linux-gnu-objcopy; fi

install-files:
	install -d $(DESTDIR)$(PREFIX)/bin
	$(OBJCOPY) --strip-all $(BINARY) $(DESTDIR)$(PREFIX)/bin/edge-node
	if [ "$(DEBUG_INFO)" = yes ]; then \
		id=$$(readelf -n $(BINARY) | sed -n 's/.*Build ID: //p'); \
		file=$(DESTDIR)/usr/lib/debug/.build-id/$$(echo $$id | cut -c1-2)/$$(echo $$id | cut -c3-).debug; \
		install -d $$(dirname $$file) && $(OBJCOPY) --only-keep-debug $(BINARY) $$file && chmod 0644 $$file; fi
	install -D -m 0644 systemd/edge-node.service $(DESTDIR)/etc/systemd/system/edge-node.service
	sed -i 's|/usr/local/bin/edge-node|$(PREFIX)/bin/edge-node|' $(DESTDIR)/etc/systemd/system/edge-node.service
	for dir in modbus receivers routes; do \
		install -d $(DESTDIR)/etc/edge-node/$$dir && install -m 0644 devices/$$dir/*.yaml $(DESTDIR)/etc/edge-node/$$dir/; done
	[ -e $(DESTDIR)/etc/edge-node/site.yaml ] || install -m 0644 devices/site.yaml $(DESTDIR)/etc/edge-node/site.yaml
	install -D -m 0644 systemd/60-edge-node-gpio.rules $(DESTDIR)/etc/udev/rules.d/60-edge-node-gpio.rules
	@# The unit's supplementary groups must exist or systemd refuses to start it (216/GROUP).
	[ -n "$(DESTDIR)" ] || getent group gpio >/dev/null || groupadd --system gpio
	@echo "installed; then: systemctl daemon-reload && systemctl enable --now edge-node"

# The gateway builds in .build-cross/: the aarch64 daemon, edge-node-lite for aarch64, riscv64 and
# this machine, and the target sysroots (scripts/cross-build says how). The first run downloads
# about 1.3 GB from the Debian archive; cross/packages.lock records every target package's version.
cross: build-deps
	$(SWIFT) build --product edge-node
	SWIFTC=$$(dirname $$(command -v $(SWIFT)))/swiftc scripts/cross-build

# The gateway builds run under qemu-user and compared with this machine's edge-node.
cross-test: build-deps
	$(SWIFT) build --product edge-node
	SWIFTC=$$(dirname $$(command -v $(SWIFT)))/swiftc scripts/embedded-build x86_64 .build-cross/x86_64
	scripts/cross-test all

clean:
	rm -rf .build .build-tsan .build-static .build-fuzz .build-cross bench/out
