import ArgumentParser
import EdgeNode
import Glibc

@main
struct EdgeNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-node",
        abstract: "Software for industrial edge gateways: BeiDou/GNSS, Modbus, GPIO, patrols, predictive maintenance.",
        discussion: """
        Exit codes: 0 ok, 1 runtime failure, 2 usage or input error.

        Examples:
          edge-node demo                          the daemon on simulated devices, live
          edge-node config check devices/site.yaml
          edge-node run --site /etc/edge-node/site.yaml
          edge-node status                        what the running daemon reports
          edge-node doctor --site /etc/edge-node/site.yaml
          edge-node nmea decode --json - < x.log  gpsd-style TPV/SKY/GST JSON lines
          edge-node gnss watch --profile devices/receivers/quectel-lc29h.yaml --port /dev/ttyUSB0
          edge-node modbus poll --profile devices/modbus/line-plc.yaml --host 192.168.1.20
          edge-node gpio watch --chip gpiochip0 17 27
          edge-node vibration analyze motor.f32 --rate 25600 --shaft-hz 24.6 --bearing n=9,d=7.94,D=39.04
          edge-node patrol check devices/routes/zhuhai-plant-north.yaml
          edge-node simulate gnss --route devices/routes/zhuhai-plant-north.yaml --pty --link /tmp/gnss

        Every command has --help with its own examples.
        """,
        subcommands: [Demo.self, Run.self, Status.self, Doctor.self, Config.self, NMEA.self, GNSS.self, GPIO.self, Serial.self, Modbus.self, Vibration.self, Patrol.self, GeodesicCommand.self, Simulate.self]
    )

    /// Parses and runs, with the documented exit codes: ArgumentParser's usage errors (its 64)
    /// exit with 2, like every other usage or input error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            var standardError = OutputSink(descriptor: 2)
            standardError.write(fullMessage(for: error) + "\n")
            standardError.flush()
            Glibc.exit(2)
        }
    }
}

/// Runs a library call and maps its error to the documented exit code and a one-line message.
func reportingErrors(_ body: () throws(EdgeNodeError) -> Void) throws {
    do { try body() } catch { throw reported(error) }
}

/// The same for an asynchronous call (the daemon, the demo).
func reportingErrors(_ body: () async throws(EdgeNodeError) -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

/// Prints the error's one-line message; returns the exit code that goes with it.
private func reported(_ error: EdgeNodeError) -> ExitCode {
    var stderr = OutputSink(descriptor: 2)
    // Under systemd the journal reads the syslog priority from the line: <3> is an error.
    stderr.write("\(getenv("JOURNAL_STREAM") != nil ? "<3>" : "")edge-node: \(error.message)\n")
    stderr.flush()
    return ExitCode(error.exitCode)
}
