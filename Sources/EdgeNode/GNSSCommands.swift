import EdgeIO
import Foundation
import NMEAParser

/// What `edge-node gnss watch` and `edge-node simulate gnss` do, callable from tests.
public enum GNSSCommands {
    /// Watches a receiver: one row (or one gpsd-style TPV) per epoch, and the service's events,
    /// until `epochs` epochs or `seconds` seconds have passed (nil: until interrupted).
    public static func watch(profilePath: String, port: String, json: Bool, epochs: Int?, seconds: Double?,
                             output: inout OutputSink) throws(EdgeNodeError) {
        let profile = try ReceiverProfileFile.load(profilePath)
        let service = GNSSReceiverService(path: port, profile: profile)
        let deadline = seconds.map { monotonicSeconds() + $0 }
        var count = 0
        var table = EpochTableConsumer()
        if !json { output.write("\(profile.name) on \(port), \(profile.settings.baud) baud\n" + EpochTableConsumer.header) }
        output.flush()
        service.run(shouldStop: { (epochs.map { count >= $0 } ?? false) || (deadline.map { monotonicSeconds() >= $0 } ?? false) }) { event in
            switch event {
            case .epoch(let fix, let sky):
                count += 1
                if json {
                    var writer = JSONWriter(capacity: 512)
                    GpsdReporter().writeTPV(fix, into: &writer)
                    writer.withBytes { output.write($0) }
                } else {
                    table.epoch(fix, sky)
                    output.write(table.text)
                    table.text = ""
                }
            case .opened(let path): output.write(json ? "{\"class\":\"EVENT\",\"event\":\"opened\",\"path\":\"\(path)\"}\n" : "opened \(path)\n")
            case .silent(let seconds):
                output.write(json ? "{\"class\":\"EVENT\",\"event\":\"silent\",\"seconds\":\(format(seconds, 1))}\n" : "silent for \(format(seconds, 1)) s\n")
            case .resumed: output.write(json ? "{\"class\":\"EVENT\",\"event\":\"resumed\"}\n" : "receiving again\n")
            case .unavailable(let reason, let retry):
                var writer = JSONWriter(capacity: 256)
                writer.raw("{\"class\":\"EVENT\",\"event\":\"unavailable\",\"reason\":"); writer.string(reason)
                writer.key("retry_in"); writer.fixed(retry, decimals: 1); writer.raw("}\n")
                output.write(json ? String(decoding: writer.bytes, as: UTF8.self) : "unavailable: \(reason); retrying in \(format(retry, 1)) s\n")
            }
            output.flush()
        }
    }

    /// Runs a simulated receiver (`mode`: rtk_fixed, rtk_float, differential or autonomous) on a
    /// new pseudo-terminal (and a symlink to it when `link` is given), driving through the route's
    /// checkpoints at `speed` m/s with `noise` metres of noise, `pace` seconds per fix; `ready`
    /// receives the device path before the first byte.
    public static func simulate(routePath: String, mode: String, speed: Double, noise: Double, pace: Double, link: String?,
                                ready: (String) -> Void) throws(EdgeNodeError) {
        let file = try RouteFile.load(routePath)
        let modes: [String: SimulatedGNSSReceiver.Mode] = ["rtk_fixed": .rtkFixed, "rtk_float": .rtkFloat,
                                                            "differential": .differential, "autonomous": .autonomous]
        guard let chosen = modes[mode] else { throw .input("--mode: expected one of \(modes.keys.sorted().joined(separator: ", ")), found '\(mode)'") }
        guard speed > 0, noise >= 0, pace >= 0 else { throw .input("--speed must be positive, --noise and --pace not negative") }
        var receiver = SimulatedGNSSReceiver()
        receiver.speed = speed
        receiver.noise = noise
        receiver.mode = chosen
        let waypoints = file.route.checkpoints.map { (latitude: $0.latitude, longitude: $0.longitude) }
        let terminal: PseudoTerminal
        do { terminal = try PseudoTerminal() } catch { throw .runtime("cannot create a pseudo-terminal: \(error)") }
        if let link {
            try? FileManager.default.removeItem(atPath: link)
            do { try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: terminal.path) } catch {
                throw .runtime("cannot create \(link): \(error.localizedDescription)")
            }
        }
        defer { if let link { try? FileManager.default.removeItem(atPath: link) } }
        ready(terminal.path)
        let text = receiver.drive(through: waypoints)
        // One fix (GGA + RMC) at a time, paced.
        var epoch: [UInt8] = []
        for line in text.split(whereSeparator: \.isNewline) {
            epoch += Array(line.utf8) + [13, 10]
            guard line.hasPrefix("$GNRMC") else { continue }
            // Nobody reading: the fix is lost, as from a real receiver's UART.
            do { try terminal.writeWithoutWaiting(epoch) } catch { throw .runtime("\(error)") }
            epoch.removeAll(keepingCapacity: true)
            if pace > 0 { usleep(useconds_t(pace * 1e6)) }
        }
    }
}
