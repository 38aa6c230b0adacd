// swift-tools-version:6.1
import Foundation
import PackageDescription

// Benchmarks pull in ordo-one/benchmark and its malloc interposer; they stay out of the default
// build (and so out of CI) unless USHER_BENCHMARKS=1 is set.
let withBenchmarks = ProcessInfo.processInfo.environment["USHER_BENCHMARKS"] == "1"
// The ceiling app of scripts/bench-load (a bare Hummingbird poll endpoint) is built only with USHER_CEILING=1,
// apart from the package benchmarks so it does not pull their dependencies.
let withCeiling = ProcessInfo.processInfo.environment["USHER_CEILING"] == "1"
// The libFuzzer target is built only by scripts/fuzz-resp (USHER_FUZZ=1), with sanitizer flags of its own.
let withFuzzer = ProcessInfo.processInfo.environment["USHER_FUZZ"] == "1"

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

var package = Package(
    name: "usher",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "usher", targets: ["usher"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "RedisServer", targets: ["RedisServer"]),
        .library(name: "UsherCore", targets: ["UsherCore"]),
        .library(name: "UsherHTTP", targets: ["UsherHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .target(
            name: "RedisClient",
            dependencies: [
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The private redis-server that `usher serve` starts when no Redis is configured, and that tests start.
        .target(
            name: "RedisServer",
            dependencies: [
                "RedisClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "UsherCore",
            dependencies: [
                "RedisClient",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The Lua scripts are compiled in by the plugin, like UsherHTTP's Public, so the binary runs alone.
            exclude: ["Lua"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedFolders"]
        ),
        .target(
            name: "UsherHTTP",
            dependencies: [
                "RedisClient",
                "UsherCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Public is compiled in by the plugin rather than shipped as a resource bundle, so the binary runs alone.
            exclude: ["Public"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedFolders"]
        ),
        .executableTarget(name: "EmbedFiles", swiftSettings: swiftSettings),
        .plugin(name: "EmbedFolders", capability: .buildTool(), dependencies: ["EmbedFiles"]),
        .executableTarget(
            name: "usher",
            dependencies: [
                "RedisClient",
                "RedisServer",
                "UsherHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: where to find Redis, private servers, polling helpers.
        .target(
            name: "RedisTestSupport",
            dependencies: [
                "RedisClient",
                "RedisServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RedisTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient",
                "RedisServer",
                "RedisTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UsherCoreTests",
            dependencies: [
                "RedisClient",
                "RedisTestSupport",
                "UsherCore",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UsherHTTPTests",
            dependencies: [
                "RedisClient",
                "RedisTestSupport",
                "UsherCore",
                "UsherHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

if withBenchmarks {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "RedisClientBenchmarks",
            dependencies: [
                "RedisClient",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RedisClientBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}

if withCeiling {
    package.targets.append(
        .executableTarget(
            name: "Ceiling",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Ceiling",
            swiftSettings: swiftSettings
        )
    )
}

if withFuzzer {
    package.targets.append(contentsOf: [
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(
            name: "RedisReplyFuzzer",
            dependencies: [
                "CLibFuzzer",
                "RedisClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Fuzz/RedisReplyFuzzer",
            swiftSettings: swiftSettings
        ),
    ])
}
