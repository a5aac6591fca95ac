import EdgeIO

/// A GNSS receiver profile in `devices/receivers/` (YAML): port settings, the silence limit, and
/// start-up commands given as NMEA text (checksum added), UBX class/id/payload (sync, length and
/// checksum added) or plain text lines (CR LF added).
public enum ReceiverProfileFile {
    /// Loads and checks `path`.
    /// - Throws: ``EdgeNodeError`` with file:line:column for anything wrong.
    public static func load(_ path: String) throws(EdgeNodeError) -> ReceiverProfile {
        try parse(try YAMLValue.load(path))
    }

    static func parse(_ root: YAMLValue) throws(EdgeNodeError) -> ReceiverProfile {
        let top = try root.mapping("a receiver profile", keys: ["receiver", "port", "silent_after", "startup"], required: ["receiver", "port"])
        let port = try top["port"]!.mapping("the port settings", keys: ["baud", "data_bits", "parity", "stop_bits", "flow_control"], required: ["baud"])
        let settings = SerialSettings(
            baud: try port["baud"]!.integer("a baud rate"),
            dataBits: try port["data_bits"]?.integer("data bits (5-8)") ?? 8,
            parity: try port["parity"]?.choice("a parity", ["none": SerialSettings.Parity.none, "even": .even, "odd": .odd]) ?? .none,
            stopBits: try port["stop_bits"]?.integer("stop bits (1 or 2)") ?? 1,
            flowControl: try port["flow_control"]?.choice("flow control", ["none": SerialSettings.FlowControl.none, "hardware": .hardware,
                                                                              "software": .software]) ?? .none)
        guard SerialSettings.isStandardRate(settings.baud) else { throw port["baud"]!.error("\(settings.baud) is not a standard baud rate") }
        var commands: [[UInt8]] = []
        for node in try top["startup"]?.sequence("the start-up commands") ?? [] {
            let command = try node.mapping("a start-up command", keys: ["nmea", "ubx", "text"])
            if let nmea = command["nmea"] {
                commands.append(nmeaCommand(try nmea.string("an NMEA command without $ and checksum")))
            } else if let ubx = command["ubx"] {
                let f = try ubx.mapping("a UBX message", keys: ["class", "id", "payload"], required: ["class", "id"])
                func byte(_ value: YAMLValue) throws(EdgeNodeError) -> UInt8 {
                    let text = try value.string("a byte (0-255, or 0x00-0xFF)")
                    guard let number = text.hasPrefix("0x") ? UInt8(text.dropFirst(2), radix: 16) : UInt8(text) else {
                        throw value.error("expected a byte (0-255, or 0x00-0xFF), found '\(text)'")
                    }
                    return number
                }
                var payload: [UInt8] = []
                for value in try f["payload"]?.sequence("the payload bytes") ?? [] { payload.append(try byte(value)) }
                commands.append(ubxFrame(class: try byte(f["class"]!), id: try byte(f["id"]!), payload: payload))
            } else if let text = command["text"] {
                commands.append(Array((try text.string("a command line") + "\r\n").utf8))
            } else {
                throw node.error("a start-up command is one of nmea, ubx or text")
            }
        }
        return ReceiverProfile(name: try top["receiver"]!.string("the receiver's name"), settings: settings, startupCommands: commands,
                               silentAfter: try top["silent_after"]?.double("seconds") ?? 3)
    }

    /// `$body*hh\r\n`.
    static func nmeaCommand(_ body: String) -> [UInt8] {
        var sum: UInt8 = 0
        for byte in body.utf8 { sum ^= byte }
        let hex = Array("0123456789ABCDEF".utf8)
        return Array("$\(body)*".utf8) + [hex[Int(sum >> 4)], hex[Int(sum & 15)], 13, 10]
    }

    /// A UBX frame: sync chars, class, id, little-endian length, payload, Fletcher checksum.
    static func ubxFrame(class messageClass: UInt8, id: UInt8, payload: [UInt8]) -> [UInt8] {
        let body = [messageClass, id, UInt8(payload.count & 0xFF), UInt8(payload.count >> 8)] + payload
        var a: UInt8 = 0, b: UInt8 = 0
        for byte in body {
            a &+= byte
            b &+= a
        }
        return [0xB5, 0x62] + body + [a, b]
    }
}
