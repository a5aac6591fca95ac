import Foundation
import Testing
@testable import EdgeNode

@Suite("systemd unit")
struct SystemdUnitTests {
    /// `systemd-analyze security --offline=yes` scores the unit's sandbox at 1.5 or lower
    /// (systemd-timesyncd: 2.3, chrony: 3.7, gpsd and mosquitto: 9.6).
    @Test func exposureIsAtMostOnePointFive() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["systemd-analyze", "security", "--offline=yes", "--no-pager",
                             repository.appendingPathComponent("systemd/edge-node.service").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = try #require(text.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(text)")
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(score <= 1.5, "\(line)")
    }

    /// What the daemon needs is allowed: the notify socket, the watchdog, its state directory,
    /// serial and GPIO devices through groups, loopback and private networks.
    @Test func unitDeclaresWhatTheDaemonNeeds() throws {
        let unit = try String(contentsOf: repository.appendingPathComponent("systemd/edge-node.service"), encoding: .utf8)
        for line in ["Type=notify", "WatchdogSec=10s", "StateDirectory=edge-node", "SupplementaryGroups=dialout gpio", "DevicePolicy=closed",
                     "DeviceAllow=char-ttyUSB rw", "DeviceAllow=char-gpiochip rw", "CapabilityBoundingSet=", "ProtectSystem=strict",
                     "SystemCallFilter=@system-service", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "ExecReload=/bin/kill -HUP $MAINPID"] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "\(line)")
        }
        // edge-node doctor judges device access by the same groups and device classes.
        let lines = unit.split(separator: "\n")
        let groups = lines.first { $0.hasPrefix("SupplementaryGroups=") }?.dropFirst("SupplementaryGroups=".count).split(separator: " ").map(String.init)
        #expect(groups == Doctor.serviceGroups)
        let classes = lines.filter { $0.hasPrefix("DeviceAllow=char-") }.map { String($0.dropFirst("DeviceAllow=char-".count).split(separator: " ")[0]) }
        #expect(classes == Doctor.allowedDeviceClasses)
    }
}
