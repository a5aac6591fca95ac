import ArgumentParser
import EdgeNode

/// Four numbers from the command line; negative ones need no `--` (they are collected as
/// unrecognised arguments), though `--` works too.
func numbers(_ tokens: [String], expecting names: String) throws -> [Double] {
    let values = tokens.filter { $0 != "--" }
    guard values.count == 4 else { throw ValidationError("expected \(names), got \(values.count) values") }
    return try values.map { token in
        guard let value = Double(token) else { throw ValidationError("'\(token)' is not a number (expected \(names))") }
        return value
    }
}

struct GeodesicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geodesic",
        abstract: "Distances and azimuths on the ellipsoid (Karney's geodesics, as GeographicLib).",
        discussion: """
        Coordinates are decimal degrees, negative south and west (negative numbers work as they \
        are, or after --). Accurate to about 15 nm for any pair of points, antipodes included.
        """,
        subcommands: [Inverse.self, Direct.self]
    )

    struct Inverse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inverse",
            abstract: "Distance and azimuths between two points.",
            discussion: """
            Prints s12 (metres), azi1 and azi2 (degrees clockwise from north; azi2 is the forward \
            azimuth at the second point). --json prints {"s12":...,"azi1":...,"azi2":...}.

            Examples:
              edge-node geodesic inverse 22.2710 113.5767 22.2800 113.5900
              edge-node geodesic inverse --json --ellipsoid cgcs2000 -- 40.64 -73.78 1.36 103.99
            """
        )
        @Argument(parsing: .allUnrecognized, help: "LAT1 LON1 LAT2 LON2, degrees.") var coordinates: [String]
        @Option(help: "wgs84 (default) or cgcs2000.") var ellipsoid = "wgs84"
        @Flag(help: "One JSON object.") var json = false

        func validate() throws { _ = try numbers(coordinates, expecting: "LAT1 LON1 LAT2 LON2") }

        func run() throws {
            let coordinates = try numbers(coordinates, expecting: "LAT1 LON1 LAT2 LON2")
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try GeodesicCommands.inverse((coordinates[0], coordinates[1]), (coordinates[2], coordinates[3]),
                                                          ellipsoid: GeodesicCommands.ellipsoid(named: ellipsoid), json: json))
            }
        }
    }

    struct Direct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "direct",
            abstract: "Where a geodesic from a point, at an azimuth, for a distance, ends.",
            discussion: """
            Prints lat2, lon2 and azi2 (degrees). --json prints {"lat2":...,"lon2":...,"azi2":...}.

            Examples:
              edge-node geodesic direct 22.2710 113.5767 45 1500
              edge-node geodesic direct --json -- -33.87 151.21 -120 10000
            """
        )
        @Argument(parsing: .allUnrecognized, help: "LAT1 LON1 AZI1 S12: degrees, degrees, degrees, metres.") var values: [String]
        @Option(help: "wgs84 (default) or cgcs2000.") var ellipsoid = "wgs84"
        @Flag(help: "One JSON object.") var json = false

        func validate() throws { _ = try numbers(values, expecting: "LAT1 LON1 AZI1 S12") }

        func run() throws {
            let values = try numbers(values, expecting: "LAT1 LON1 AZI1 S12")
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try GeodesicCommands.direct((values[0], values[1]), azimuth: values[2], distance: values[3],
                                                         ellipsoid: GeodesicCommands.ellipsoid(named: ellipsoid), json: json))
            }
        }
    }
}
