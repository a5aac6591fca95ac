import EdgeIO

/// Polls one Modbus device of the site; its points go to the store, quality changes to the events.
struct ModbusDeviceUnit {
    let device: Site.ModbusDevice
    let context: DaemonContext

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        let poller = ModbusPoller(profile: device.profile)
        var qualities: [String: String] = [:]
        let reported = Set(device.profile.units.flatMap(\.points).filter { point in
            if point.deadband != nil || point.writable || point.table.isBits { return true }
            if case .bit = point.type { return true }
            return false
        }.map(\.name))
        poller.run(shouldStop: shouldStop) { report in
            context.count("modbus_requests", by: report.requests)
            for reading in report.readings {
                let quality = reading.quality.description
                let kind = reading.quality.kind
                let name = "\(device.name).\(reading.point)"
                context.store.update(name, value: reading.value?.doubleValue, quality: quality, time: reading.timestamp)
                // Value changes of the points that matter one by one: states, setpoints, and
                // those with a deadband (moved beyond it).
                if reading.changed, kind == "good", qualities[name] == "good", let value = reading.value?.doubleValue, reported.contains(reading.point) {
                    context.event("point_changed", source: name) { w in
                        w.key("value"); w.fixed(value, decimals: 6)
                        w.key("age_ms"); w.fixed((monotonicSeconds() - reading.timestamp) * 1000, decimals: 3)
                    }
                }
                if qualities[name] != kind {
                    if qualities[name] != nil || kind != "good" {
                        context.event("point_quality", source: name) { w in
                            w.key("quality"); w.string(quality)
                            if let value = reading.value?.doubleValue { w.key("value"); w.fixed(value, decimals: 6) }
                        }
                        if kind != "good" { context.logger.warning("\(name): \(quality)") }
                    }
                    qualities[name] = kind
                }
            }
        }
    }
}
