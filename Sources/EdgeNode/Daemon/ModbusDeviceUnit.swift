import EdgeIO

/// Polls one Modbus device of the site and publishes its points, typed, to the data plane.
struct ModbusDeviceUnit {
    let device: Site.ModbusDevice
    let context: DaemonContext

    /// The device's points as the data plane declares them: states, setpoints and points with a
    /// deadband report their value changes.
    static func definitions(of device: Site.ModbusDevice) -> [PointDefinition] {
        device.profile.units.flatMap(\.points).map { point in
            let states = point.datatype == .bool || point.writable
            return PointDefinition(name: "\(device.name).\(point.name)", datatype: point.datatype, unit: point.unit, writable: point.writable,
                                   device: device.name, reportChangesBeyond: point.deadband ?? (states ? 0 : nil))
        }
    }

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        let poller = ModbusPoller(profile: device.profile)
        context.store.define(Self.definitions(of: device))
        poller.run(shouldStop: shouldStop) { report in
            context.count("modbus_requests", by: report.requests)
            for reading in report.readings {
                context.store.update("\(device.name).\(reading.point)", reading.value, quality: reading.quality, at: reading.timestamp)
            }
        }
    }
}
