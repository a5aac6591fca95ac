import EdgeIO
import NMEAParser
import PatrolAgent
import PredictiveMaintenance

/// The main job on an embedded default, for a first run without hardware or files.
public enum Demonstration {
    /// A BeiDou + GPS receiver (NMEA 4.11, BeiDou under the `GB` talker, system IDs in GSA) at a
    /// plant in Zhuhai: twelve 1 Hz epochs going from RTK float to RTK fixed to a plain GPS fix.
    /// Synthesised for edge-node; its checksums are real.
    public static let capture = """
$GNRMC,080000.00,A,2216.26000000,N,11334.60200000,E,2.10,38.5,291126,,,F,V*34
$GNGGA,080000.00,2216.26000000,N,11334.60200000,E,5,18,0.62,12.40,M,-3.10,M,1.0,0101*47
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080000.00,1.2,0.30,0.20,35.0,0.28,0.22,0.45*4E
$GNRMC,080001.00,A,2216.26060000,N,11334.60272000,E,2.10,38.5,291126,,,F,V*36
$GNGGA,080001.00,2216.26060000,N,11334.60272000,E,5,18,0.62,12.40,M,-3.10,M,1.0,0101*45
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080001.00,1.2,0.30,0.20,35.0,0.28,0.22,0.45*4F
$GNRMC,080002.00,A,2216.26120000,N,11334.60344000,E,2.10,38.5,291126,,,F,V*34
$GNGGA,080002.00,2216.26120000,N,11334.60344000,E,5,18,0.62,12.40,M,-3.10,M,1.0,0101*47
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080002.00,1.2,0.30,0.20,35.0,0.28,0.22,0.45*4C
$GNRMC,080003.00,A,2216.26180000,N,11334.60416000,E,2.10,38.5,291126,,,F,V*3F
$GNGGA,080003.00,2216.26180000,N,11334.60416000,E,5,18,0.62,12.40,M,-3.10,M,1.0,0101*4C
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080003.00,1.2,0.30,0.20,35.0,0.28,0.22,0.45*4D
$GNRMC,080004.00,A,2216.26240000,N,11334.60488000,E,2.10,38.5,291126,,,R,V*24
$GNGGA,080004.00,2216.26240000,N,11334.60488000,E,4,18,0.62,12.40,M,-3.10,M,1.0,0101*42
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080004.00,0.8,0.020,0.015,35.0,0.018,0.016,0.030*70
$GNRMC,080005.00,A,2216.26300000,N,11334.60560000,E,2.10,38.5,291126,,,R,V*27
$GNGGA,080005.00,2216.26300000,N,11334.60560000,E,4,18,0.62,12.40,M,-3.10,M,1.0,0101*41
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080005.00,0.8,0.020,0.015,35.0,0.018,0.016,0.030*71
$GNRMC,080006.00,A,2216.26360000,N,11334.60632000,E,2.10,38.5,291126,,,R,V*26
$GNGGA,080006.00,2216.26360000,N,11334.60632000,E,4,18,0.62,12.40,M,-3.10,M,1.0,0101*40
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080006.00,0.8,0.020,0.015,35.0,0.018,0.016,0.030*72
$GNRMC,080007.00,A,2216.26420000,N,11334.60704000,E,2.10,38.5,291126,,,R,V*20
$GNGGA,080007.00,2216.26420000,N,11334.60704000,E,4,18,0.62,12.40,M,-3.10,M,1.0,0101*46
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080007.00,0.8,0.020,0.015,35.0,0.018,0.016,0.030*73
$GNRMC,080008.00,A,2216.26480000,N,11334.60776000,E,2.10,38.5,291126,,,R,V*20
$GNGGA,080008.00,2216.26480000,N,11334.60776000,E,4,18,0.62,12.40,M,-3.10,M,1.0,0101*46
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080008.00,0.8,0.020,0.015,35.0,0.018,0.016,0.030*7C
$GNRMC,080009.00,A,2216.26540000,N,11334.60848000,E,2.10,38.5,291126,,,R,V*2E
$GNGGA,080009.00,2216.26540000,N,11334.60848000,E,4,18,0.62,12.40,M,-3.10,M,1.0,0101*48
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080009.00,0.8,0.020,0.015,35.0,0.018,0.016,0.030*7D
$GNRMC,080010.00,A,2216.26600000,N,11334.60920000,E,2.10,38.5,291126,,,A,V*3D
$GNGGA,080010.00,2216.26600000,N,11334.60920000,E,1,18,0.62,12.40,M,-3.10,M,,0101*62
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080010.00,1.2,0.30,0.20,35.0,0.28,0.22,0.45*4F
$GNRMC,080011.00,A,2216.26660000,N,11334.60992000,E,2.10,38.5,291126,,,A,V*33
$GNGGA,080011.00,2216.26660000,N,11334.60992000,E,1,18,0.62,12.40,M,-3.10,M,,0101*6C
$GNGSA,A,3,05,13,15,18,23,24,,,,,,,1.10,0.62,0.91,1*00
$GNGSA,A,3,06,09,14,16,21,22,36,39,40,45,59,,1.10,0.62,0.91,4*00
$GPGSV,2,1,07,05,45,210,44,13,62,020,47,15,30,300,40,18,55,120,46,1*68
$GPGSV,2,2,07,23,20,250,38,24,70,080,48,29,05,010,,1*56
$GBGSV,3,1,12,06,50,200,42,09,40,190,41,14,60,100,45,16,55,210,43,1*70
$GBGSV,3,2,12,21,35,060,40,22,25,150,39,36,45,330,44,39,65,240,46,1*73
$GBGSV,3,3,12,40,20,050,37,45,75,010,48,59,30,170,41,60,10,100,,1*76
$GNGST,080011.00,1.2,0.30,0.20,35.0,0.28,0.22,0.45*4E

"""

    /// The demonstration machine: a pump motor at 24.6 Hz (1,476 r/min) whose drive-end bearing
    /// (the MFPT test rig's geometry) has an outer-race defect, sampled at 25.6 kHz for 2.56 s.
    public static let pump = SyntheticVibration(
        sampleRate: 25_600, shaftHz: 24.6,
        bearing: BearingGeometry(rollingElements: 8, elementDiameter: 0.235, pitchDiameter: 1.245), fault: .outerRace)

    /// The shipped route `devices/routes/zhuhai-plant-north.yaml`, embedded (a test keeps the
    /// two the same).
    public static let plantRoute = #"""
# Night inspection round of the north plant, Zhuhai: an RTK-guided inspection vehicle (or a
# walking inspector with an RTK rover) visits the line-3 pump house, the T2 transformer, the
# cooling tower and the warehouse door, reading the plant's Modbus and GPIO points on the way.
# Coordinates are CGCS2000 (BeiDou), surveyed; the gate's control point checks for map offsets.
route: zhuhai-plant-north
datum: {frame: CGCS2000, epoch: 2026.9}
defaults:
  radius: 3
  arrival: pass-by
  confirmations: 2
  minimum_quality: rtk_float
checkpoints:
  - name: gate
    lat: 22.2710000
    lon: 113.5767000
  - name: pump-house-3
    lat: 22.2713612
    lon: 113.5778649
    radius: 2
    arrival: radius
    dwell: 10
    tasks:
      - {point: plc-line3.discharge_pressure, expected: [3.0, 5.5], retries: 1}
      - {point: plc-line3.motor_temperature, expected: [10, 85]}
  - name: transformer-T2
    lat: 22.2724447
    lon: 113.5786415
    minimum_quality: rtk_fixed
    tasks:
      - {point: meter-t2.active_power}
  - name: cooling-tower
    lat: 22.2729865
    lon: 113.5772824
    radius: 4
    arrival: radius
    dwell: 5
    policy: optional
  - name: warehouse-door
    lat: 22.2720835
    lon: 113.5763117
    policy: retry 1
    tasks:
      - {point: gpio.warehouse_door_closed, expected: [1, 1]}
fences:
  - name: plant-yard
    kind: inclusion
    level: hard
    action: stop
    polygon:
      - [22.2706388, 113.5759234]
      - [22.2706388, 113.5792239]
      - [22.2733476, 113.5792239]
      - [22.2733476, 113.5759234]
  - name: substation-110kV
    kind: exclusion
    level: soft
    action: warn
    circle: {lat: 22.2715418, lon: 113.5789327, radius: 15}
control_points:
  - {name: gate-survey-mark, lat: 22.2710000, lon: 113.5767000, map_lat: 22.2710000, map_lon: 113.5767000}
schedule:
  times: ["02:00", "14:00"]
  on_demand: true

"""#

    /// Decodes ``capture`` and prints the epochs (or gpsd-style JSON), then the statistics; then
    /// analyses the simulated ``pump`` as `edge-node vibration analyze` would; then drives a
    /// simulated RTK receiver through ``plantRoute`` and runs the patrol on its NMEA.
    /// - Throws: ``EdgeNodeError`` never in practice; the signature matches the other commands.
    public static func run(json: Bool, output: inout OutputSink) throws(EdgeNodeError) {
        try runNMEA(json: json, output: &output)
        var options = RecordingAnalysis.Settings(sampleRate: pump.sampleRate)
        options.shaftHz = pump.shaftHz
        options.bearing = pump.bearing
        let analysis = try VibrationCommands.analyze(samples: pump.samples(count: 65_536),
                                                     named: "simulated pump, drive-end bearing", settings: options)
        if !json { output.write("\nedge-node demo: condition of a simulated pump (outer-race defect)\n\n") }
        output.write(VibrationCommands.render(analysis, json: json))
        let replay = try patrol()
        if json {
            output.write(replay.report)
        } else {
            output.write("\nedge-node demo: night patrol of the north plant, a simulated RTK rover (0.05 m noise)\n\n")
            output.write(PatrolCommands.summaryText(replay))
        }
        output.flush()
    }

    /// What the demo plant's points read: line 3's motor runs hot, the rest is normal.
    struct DemonstrationPlant: InspectionReader {
        func read(_ point: String) -> Result<Double, InspectionFailure> {
            switch point {
            case "plc-line3.discharge_pressure": .success(4.21)
            case "plc-line3.motor_temperature": .success(91.5)
            case "meter-t2.active_power": .success(812.4)
            case "gpio.warehouse_door_closed": .success(1)
            default: .failure(InspectionFailure("no such point in the demo plant"))
            }
        }
    }

    /// The patrol of the demo: ``plantRoute`` driven by a simulated RTK receiver at 2 m/s.
    public static func patrol() throws(EdgeNodeError) -> PatrolCommands.Replay {
        let route = try RouteFile.parse(plantRoute, name: "devices/routes/zhuhai-plant-north.yaml")
        var receiver = SimulatedGNSSReceiver()
        receiver.noise = 0.05
        let nmea = Array(receiver.drive(through: route.route.checkpoints.map { ($0.latitude, $0.longitude) }).utf8)
        return try PatrolCommands.replay(route, routePath: "devices/routes/zhuhai-plant-north.yaml", reader: DemonstrationPlant()) {
            body throws(EdgeNodeError) in
            var failure: EdgeNodeError?
            nmea.withUnsafeBytes { bytes in
                do throws(EdgeNodeError) { try body(bytes) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    private static func runNMEA(json: Bool, output: inout OutputSink) throws(EdgeNodeError) {
        var stream = NMEAStream()
        let bytes = Array(capture.utf8)
        if json {
            var consumer = GpsdJSONConsumer()
            bytes.withUnsafeBytes { stream.feed($0, into: &consumer) }
            stream.finish(into: &consumer)
            consumer.writer.withBytes { output.write($0) }
        } else {
            output.write("edge-node demo: decoding an embedded BeiDou + GPS capture (\(bytes.count) bytes)\n\n")
            output.write(EpochTableConsumer.header)
            var consumer = EpochTableConsumer()
            bytes.withUnsafeBytes { stream.feed($0, into: &consumer) }
            stream.finish(into: &consumer)
            output.write(consumer.text + "\n")
            output.write(NMEACommands.render(stream.statistics, stream.framer, json: false))
        }
        output.flush()
    }
}
