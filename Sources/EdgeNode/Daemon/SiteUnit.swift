import EdgeIO
import PatrolAgent

/// One part of the site, run on a thread of its own: a Modbus device, a GPIO board, the receiver
/// with the patrols, a maintenance channel. A reload compares them to see what changed.
enum SiteUnit: Equatable, Sendable {
    case modbus(Site.ModbusDevice)
    case gpio(Site.GPIOBoard)
    case patrols(Site.Receiver, [Site.Patrol])
    case maintenance(Site.MaintenanceChannel)

    /// Every unit of the site, in start order: the sources before what reads them.
    static func all(of site: Site) -> [SiteUnit] {
        site.modbus.map { .modbus($0) } + site.gpio.map { .gpio($0) } + (site.gnss.map { [.patrols($0, site.patrols)] } ?? [])
            + site.maintenance.map { .maintenance($0) }
    }

    /// The name its points and events go under.
    var name: String {
        switch self {
        case .modbus(let device): device.name
        case .gpio(let board): board.name
        case .patrols: "gnss"
        case .maintenance(let channel): channel.name
        }
    }

    /// Runs until `shouldStop` says so (checked often).
    func run(_ context: DaemonContext, shouldStop: @escaping @Sendable () -> Bool) {
        switch self {
        case .modbus(let device): ModbusDeviceUnit(device: device, context: context).run(shouldStop)
        case .gpio(let board): GPIOBoardUnit(board: board, context: context).run(shouldStop)
        case .patrols(let receiver, let patrols): PatrolUnit(receiver: receiver, patrols: patrols, context: context).run(shouldStop)
        case .maintenance(let channel): MaintenanceUnit(channel: channel, context: context).run(shouldStop)
        }
    }
}

/// A unit running on its thread, stopped on its own (a reload) or with the daemon.
final class RunningUnit: Sendable {
    let unit: SiteUnit
    private let stopRequested = StopFlag()
    private let finished: Task<Void, Never>

    init(_ unit: SiteUnit, _ context: DaemonContext) {
        self.unit = unit
        let stopRequested = stopRequested
        finished = Task {
            await withUnsafeContinuation { (done: UnsafeContinuation<Void, Never>) in
                ServiceThread(name: unit.name) {
                    unit.run(context) { stopRequested.isSet }
                    done.resume()
                }.start()
            }
        }
    }

    /// Asks the unit to stop and waits until its thread has finished.
    func stop() async {
        stopRequested.set()
        await finished.value
    }
}
