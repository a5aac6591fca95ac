// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "edge-node",
    products: [
        .executable(name: "edge-node", targets: ["edge-node"]),
        .library(name: "NMEAParser", targets: ["NMEAParser"]),
        .library(name: "EdgeNode", targets: ["EdgeNode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Pure: bytes -> sentences -> typed records -> epochs. No Foundation, no Glibc.
        .target(name: "NMEAParser", linkerSettings: [.linkedLibrary("m")]),
        // Composition, file input and the reports the command line prints.
        .target(name: "EdgeNode", dependencies: ["NMEAParser"]),
        // Thin: command-line parsing only.
        .executableTarget(
            name: "edge-node",
            dependencies: [
                "EdgeNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark driver for the library alone (bench/run drives the peers).
        .executableTarget(name: "nmea-bench", dependencies: ["NMEAParser"], path: "bench/nmea-bench"),
        .testTarget(name: "NMEAParserTests", dependencies: ["NMEAParser"]),
        .testTarget(name: "EdgeNodeTests", dependencies: ["EdgeNode", "NMEAParser"]),
    ],
    swiftLanguageModes: [.v6]
)
