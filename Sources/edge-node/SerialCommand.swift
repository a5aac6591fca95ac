import ArgumentParser
import EdgeNode

struct Serial: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serial",
        abstract: "Serial ports: which exist, their drivers, and who holds them.",
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "The serial ports with driver, USB identity, stable /dev/serial/by-id names and the process holding each.",
            discussion: "Examples:\n  edge-node serial list\n  edge-node serial list /dev/ttyUSB0 --json"
        )
        @Argument(help: "Only these ports (any terminal device, pseudo-terminals included).") var paths: [String] = []
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try SerialCommands.list(paths: paths, json: json, output: &output)
                output.flush()
            }
        }
    }
}
