// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "edge-node",
    products: [
        .executable(name: "edge-node", targets: ["edge-node"]),
        .library(name: "JSONText", targets: ["JSONText"]),
        .library(name: "NMEAParser", targets: ["NMEAParser"]),
        .library(name: "PredictiveMaintenance", targets: ["PredictiveMaintenance"]),
        .library(name: "PatrolAgent", targets: ["PatrolAgent"]),
        .library(name: "PatrolRuntime", targets: ["PatrolRuntime"]),
        .library(name: "EdgeIO", targets: ["EdgeIO"]),
        .library(name: "EdgeNode", targets: ["EdgeNode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Elementary functions (sin, exp, log) for the pure modules without importing Glibc.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // The daemon: ordered start, graceful shutdown on signals (Apache-2.0; swift-log and
        // swift-async-algorithms come with it).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The daemon's local status and Prometheus endpoint (Apache-2.0).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure: JSON text into a reusable buffer, without Foundation (reports, events, status), and
        // the few text helpers both the full and the firmware build use.
        .target(name: "JSONText"),
        // Pure: bytes -> sentences -> typed records -> epochs. No Foundation, no Glibc.
        .target(name: "NMEAParser", dependencies: ["JSONText"], linkerSettings: [.linkedLibrary("m")]),
        // KissFFT (Debian libkissfft-dev, BSD-3-Clause), float build. SwiftPM drops the -D flags of
        // kissfft-float.pc with a warning; they only restate the header's defaults (float scalar).
        .systemLibrary(name: "CKissFFT", pkgConfig: "kissfft-float", providers: [.apt(["libkissfft-dev"])]),
        // Pure: ring buffers, features, spectra, envelope analysis, severity, health.
        .target(
            name: "PredictiveMaintenance",
            dependencies: ["CKissFFT", "JSONText", .product(name: "RealModule", package: "swift-numerics")]
        ),
        // Karney's geodesics from GeographicLib (Debian libgeographiclib-dev, MIT; it needs only
        // the C++ runtime, where PROJ brings some forty libraries and its data), behind a C shim.
        .target(name: "CGeodesic", linkerSettings: [.linkedLibrary("GeographicLib")]),
        // Pure: routes, geofences, local frame, patrol state machine, run records.
        .target(
            name: "PatrolAgent",
            dependencies: ["CGeodesic", "JSONText", .product(name: "RealModule", package: "swift-numerics")]
        ),
        // Pure: the patrol agent fed by a receiver's epochs, and the run record it writes (JSON
        // lines), for edge-node's replay and daemon and for the firmware build.
        .target(name: "PatrolRuntime", dependencies: ["JSONText", "NMEAParser", "PatrolAgent"]),
        // The only module that touches the OS and hardware libraries, and the simulated twin of
        // every device kind.
        // libgpiod v1 (Debian libgpiod-dev 1.6).
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        // libmodbus (Debian libmodbus-dev 3.1).
        .systemLibrary(name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        // YAML for the files in devices/, with line and column marks (libyaml, MIT).
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // Locks from NIOConcurrencyHelpers (pthread mutexes, which ThreadSanitizer sees: the
        // Synchronization module's Mutex waits in futex calls it does not, and its reports of
        // races under contention are false).
        .target(name: "EdgeIO", dependencies: ["CGPIOD", "CModbus", "JSONText", "NMEAParser", .product(name: "RealModule", package: "swift-numerics"),
                                             .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        // Composition, file input and the reports the command line prints.
        .target(
            name: "EdgeNode",
            dependencies: ["JSONText", "NMEAParser", "PredictiveMaintenance", "PatrolAgent", "PatrolRuntime", "EdgeIO", "CYAML",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        // Thin: command-line parsing only.
        .executableTarget(
            name: "edge-node",
            dependencies: [
                "EdgeIO",
                "EdgeNode",
                "PatrolAgent",
                "PredictiveMaintenance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark driver for the library alone (bench/run drives the peers).
        .executableTarget(name: "nmea-bench", dependencies: ["NMEAParser"], path: "bench/nmea-bench"),
        .executableTarget(name: "pm-bench", dependencies: ["PredictiveMaintenance"], path: "bench/pm-bench"),
        .executableTarget(name: "patrol-bench", dependencies: ["PatrolAgent", "EdgeNode"], path: "bench/patrol-bench"),
        .executableTarget(name: "io-bench", dependencies: ["EdgeIO"], path: "bench/io-bench"),
        .executableTarget(name: "modbus-bench", dependencies: ["EdgeIO", "EdgeNode"], path: "bench/modbus-bench"),
        // libFuzzer driver (make fuzz) and corpus replayer over EdgeNode's FuzzTarget.
        .executableTarget(name: "edge-node-fuzz", dependencies: ["EdgeNode"], path: "fuzz/edge-node-fuzz"),
        .testTarget(name: "NMEAParserTests", dependencies: ["JSONText", "NMEAParser"]),
        .testTarget(name: "PredictiveMaintenanceTests", dependencies: ["PredictiveMaintenance"]),
        .testTarget(name: "PatrolAgentTests", dependencies: ["PatrolAgent"]),
        .testTarget(name: "EdgeIOTests", dependencies: ["EdgeIO", "NMEAParser", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "EdgeNodeTests", dependencies: ["EdgeNode", "JSONText", "NMEAParser", "EdgeIO", "PatrolAgent",
                                                          .product(name: "NIOConcurrencyHelpers", package: "swift-nio")], exclude: ["Peers"]),
    ],
    swiftLanguageModes: [.v6]
)
