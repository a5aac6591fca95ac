import ArgumentParser
import EdgeNode

struct GNSS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gnss",
        abstract: "The live BeiDou/GNSS receiver on a serial port.",
        subcommands: [Watch.self]
    )

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Open a receiver with its profile and print its epochs as they come.",
            discussion: """
            Opens the port exclusively with the profile's settings, sends its start-up commands, \
            and prints one row per epoch (--json: gpsd-style TPV lines), with the events in \
            between: silence, unplugging, reopening (with backoff up to 30 s), and bytes that give \
            no epoch, with why (noise: the baud rate; no GGA or RMC; no time yet: the antenna).

            Examples:
              edge-node gnss watch --profile devices/receivers/ublox-zed-f9p.yaml --port /dev/ttyACM0
              edge-node gnss watch --profile devices/receivers/quectel-lc29h.yaml --port /dev/serial/by-id/usb-... --json --epochs 10
            """
        )
        @Option(help: "A receiver profile (devices/receivers/*.yaml).") var profile: String
        @Option(help: "The serial device.") var port: String
        @Flag(help: "gpsd-style TPV lines and event objects instead of a table.") var json = false
        @Option(help: "Stop after this many epochs.") var epochs: Int?
        @Option(help: "Stop after this many seconds.") var seconds: Double?
        @Option(help: "Every N epochs (and at the end), the sky as a signal-strength bar chart with the sentence and error counts; 0: only at the end.") var skyEvery = 10

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GNSSCommands.watch(profilePath: profile, port: port, json: json, epochs: epochs, seconds: seconds,
                                       skyEvery: skyEvery, output: &output)
            }
        }
    }
}
