// swift-tools-version: 6.1
import PackageDescription

// Layering (see ../shared/DESIGN.md): mclog → MCServer → LogQL/Ingest → LogStore → Storage → C shims.

/// Release builds of the scan and query modules skip dynamic exclusivity checks: per-line loops over class
/// state spent ~15 % of a metric query in them (perf). Debug builds and tests keep the checks.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
let package = Package(
    name: "mclog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mclog", targets: ["mclog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CGlibcExtras"),

        .target(name: "ByteSearch", dependencies: ["CPCRE2", "CGlibcExtras"]),
        .target(name: "Storage", dependencies: ["CZstd", "CLZ4", "CZlib", "CLibPQ", "CGlibcExtras"], exclude: ["WAL+Format.md"]),
        .target(
            name: "LogStore", dependencies: ["Storage", "ByteSearch"],
            exclude: ["WALRecord+Format.md", "Block+Format.md"], swiftSettings: hotPath),
        .target(name: "LogQL", dependencies: ["LogStore", "Storage", "ByteSearch"], swiftSettings: hotPath),
        // Spans: OTLP/Zipkin decoding, WAL + trace blocks, trace-id index, search index, TraceQL subset.
        .target(name: "TraceStore", dependencies: ["Storage"], exclude: ["TraceBlock+Format.md"], swiftSettings: hotPath),
        // Storage and ByteSearch sit below LogStore: atomic file publish and PCRE2 for multiline/trace-id regexes.
        .target(
            name: "Ingest", dependencies: ["LogStore", "Storage", "ByteSearch", "CGlibcExtras", .product(name: "Yams", package: "Yams")],
            swiftSettings: hotPath),
        // Incidents reads through LogQL (as the HTTP API does) and TraceStore's search (trace evidence), and
        // publishes its records with Storage's atomic files.
        .target(
            name: "Incidents",
            dependencies: ["LogQL", "LogStore", "Storage", "TraceStore", .product(name: "Yams", package: "Yams")],
            exclude: ["IncidentStore+Format.md"]),
        .target(
            name: "MCServer",
            dependencies: [
                "LogStore", "LogQL", "Ingest", "Storage", "TraceStore", "Incidents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "mclog",
            dependencies: [
                "LogStore", "LogQL", "Ingest", "MCServer", "TraceStore", "Incidents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // A real PostgreSQL for the tests: $MCLOG_TEST_POSTGRES_URL, else a throwaway cluster it starts.
        .target(name: "PostgresTestSupport", dependencies: ["Storage"], path: "Tests/PostgresTestSupport",
                exclude: ["postgres-cluster.sh"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "PostgresTestSupport"]),
        .testTarget(name: "ByteSearchTests", dependencies: ["ByteSearch"]),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore"]),
        .testTarget(name: "LogQLTests", dependencies: ["LogQL"]),
        .testTarget(name: "TraceStoreTests", dependencies: ["TraceStore", "Storage"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "LogStore", "Storage"]),
        .testTarget(
            name: "MCServerTests",
            dependencies: [
                "MCServer", "LogStore", "Ingest", "TraceStore", "Incidents",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "IncidentsTests",
            dependencies: ["Incidents", "LogQL", "LogStore", "Ingest", "Storage", "TraceStore", "PostgresTestSupport"]),
        // Storage: zlib inflation for decoding the browser test's PNG screenshots.
        .testTarget(name: "mclogTests", dependencies: ["mclog", "LogStore", "TraceStore", "Incidents", "Storage", "PostgresTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
