import ArgumentParser
import EdgeIO
import EdgeNode

extension Bias: ExpressibleByArgument {}
extension EdgeDetection: ExpressibleByArgument {}

struct GPIO: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "GPIO lines through libgpiod: list, read, drive and watch them.",
        discussion: """
        CHIP is a name (gpiochip0), a number (0), a label or a path; 'simulated' is the simulated \
        plant board (see 'edge-node simulate gpio'). LINE is an offset (17) or a name (door_closed).
        """,
        subcommands: [List.self, Get.self, Set.self, Watch.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "The chips and their lines: name, direction, consumer.",
            discussion: "Example:\n  edge-node gpio list\n  edge-node gpio list --chip simulated --json"
        )
        @Option(help: "Only this chip.") var chip: String?
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GPIOCommands.list(chip: chip, json: json, output: &output)
                output.flush()
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Read lines once, as inputs.",
            discussion: "Example:\n  edge-node gpio get --chip gpiochip0 17 door_closed --bias pull-up"
        )
        @Option(help: "The chip.") var chip: String
        @Argument(help: "Lines: offsets or names.") var lines: [String]
        @Flag(help: "The line is active when low.") var activeLow = false
        @Option(help: "The line's bias resistor.") var bias = Bias.asIs
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GPIOCommands.get(chip: chip, lines: lines, activeLow: activeLow, bias: bias, json: json, output: &output)
                output.flush()
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Drive output lines (refuses without --yes).",
            discussion: """
            The line keeps its value while held (--hold); libgpiod v1 releases it when the command \
            exits, and the kernel may then return it to its default.

            Example:
              edge-node gpio set --chip gpiochip0 beacon=1 --hold 5 --yes
            """
        )
        @Option(help: "The chip.") var chip: String
        @Argument(help: "LINE=0 or LINE=1, one or more.") var assignments: [String]
        @Option(help: "Seconds to hold the value before releasing the lines.") var hold: Double = 0
        @Flag(help: "Confirm: outputs switch real equipment.") var yes = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GPIOCommands.set(chip: chip, assignments: assignments, hold: hold, confirmed: yes, output: &output)
                output.flush()
            }
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Watch lines: settled changes, pulse rates, every edge with --raw.",
            discussion: """
            One event loop for all lines (no thread per line). Changes are reported once the line \
            has held its level for --debounce ms (bounces filtered, lost edges counted); lines \
            that pulse get a row each second with their frequency, shaft speed (--ppr pulses per \
            revolution) and a quality that goes bad when the pulses stop.

            Examples:
              edge-node gpio watch --chip gpiochip0 door_closed pump_tach --ppr 2
              edge-node gpio watch --chip simulated --seconds 10 --json
            """
        )
        @Option(help: "The chip.") var chip: String
        @Argument(help: "Lines: offsets or names (all named lines of the simulated board when none).") var lines: [String] = []
        @Option(help: "The edges to watch.") var edges = EdgeDetection.both
        @Flag(help: "The line is active when low.") var activeLow = false
        @Option(help: "The line's bias resistor.") var bias = Bias.asIs
        @Option(help: "Settle time, ms.") var debounce: Double = 5
        @Option(help: "Pulses per revolution for the shaft speed.") var ppr: Double = 1
        @Flag(help: "Every edge with its timestamp too.") var raw = false
        @Option(help: "Stop after this many seconds.") var seconds: Double?
        @Flag(help: "JSON Lines.") var json = false

        func validate() throws {
            guard edges != .none else { throw ValidationError("--edges: both, rising or falling") }
            guard debounce >= 0, debounce.isFinite, ppr > 0, ppr.isFinite else { throw ValidationError("--debounce must not be negative and --ppr must be positive") }
            if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be positive") }
        }

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var options = GPIOCommands.WatchOptions()
                options.lines = lines
                options.edges = edges
                options.activeLow = activeLow
                options.bias = bias
                options.debounceMilliseconds = debounce
                options.pulsesPerRevolution = ppr
                options.raw = raw
                options.seconds = seconds
                options.json = json
                var output = OutputSink()
                try GPIOCommands.watch(chip: chip, options, output: &output)
            }
        }
    }
}
