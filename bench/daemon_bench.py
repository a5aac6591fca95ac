"""The daemon on the demo site for a fixed time, measured: CPU % of one core, peak RSS, time from
start to READY=1, and the latency from a Modbus value change and from a GPIO edge to the event
record. Usage: python3 bench/daemon_bench.py EDGE_NODE_BINARY [SECONDS]"""
import json, os, signal, socket, statistics, subprocess, sys, tempfile, time

binary, duration = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 30
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
devices = os.path.join(repo, "devices")
work = tempfile.mkdtemp(prefix="edge-node-bench-")
children = []

def start(*args):
    process = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children.append(process)
    return process

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

try:
    plc_port, meter_port = free_port(), free_port()
    for profile, port in (("line-plc.yaml", plc_port), ("energy-meter.yaml", meter_port)):
        start("simulate", "modbus", "--profile", f"{devices}/modbus/{profile}", "--listen", f"127.0.0.1:{port}").stdout.readline()
    start("simulate", "gnss", "--route", f"{devices}/routes/zhuhai-plant-north.yaml", "--pty", "--link", f"{work}/gnss").stdout.readline()
    with open(f"{work}/site.yaml", "w") as site:
        site.write(f"""site: bench
modbus:
  - {{name: plc-line3, profile: {devices}/modbus/line-plc.yaml, port: {plc_port}}}
  - {{name: meter-t2, profile: {devices}/modbus/energy-meter.yaml, port: {meter_port}}}
gpio:
  - name: gpio
    chip: simulated
    lines:
      - {{name: warehouse_door_closed, line: door_closed, kind: state}}
      - {{name: pump_tach, line: pump_tach, kind: pulses}}
gnss: {{profile: {devices}/receivers/quectel-lc29h.yaml, port: {work}/gnss}}
patrols:
  - {{route: {devices}/routes/zhuhai-plant-north.yaml}}
maintenance:
  - {{name: pump-p101-de, source: {{simulated: healthy}}, sample_rate: 25600, bearing: {{n: 8, d: 7.94, D: 39.04}}, speed: {{gpio: gpio.pump_tach}}}}
outputs: {{directory: {work}/out}}
""")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(f"{work}/notify")
    notify.settimeout(5)
    environment = dict(os.environ, NOTIFY_SOCKET=f"{work}/notify", WATCHDOG_USEC="10000000")
    started = time.monotonic()
    daemon = subprocess.Popen([binary, "run", "--site", f"{work}/site.yaml"], env=environment, stderr=subprocess.DEVNULL)
    children.append(daemon)
    while not notify.recv(4096).startswith(b"READY=1"):
        pass
    ready_ms = (time.monotonic() - started) * 1000

    def cpu_seconds():
        fields = open(f"/proc/{daemon.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    time.sleep(2)  # past start-up
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    from pymodbus.client import ModbusTcpClient
    client = ModbusTcpClient("127.0.0.1", port=plc_port); client.connect()
    events = f"{work}/out/events.jsonl"
    modbus_latencies = []
    deadline = wall0 + duration
    value, reported = 0, 0
    samples = []  # (seconds since wall0, anonymous resident KiB, threads, open descriptors): a leak shows as a slope
    def sample():
        status = {l.split(":")[0]: l.split()[1] for l in open(f"/proc/{daemon.pid}/status") if len(l.split()) > 1}
        samples.append((time.monotonic() - wall0, int(status["RssAnon"]), int(status["Threads"]), len(os.listdir(f"/proc/{daemon.pid}/fd"))))
    while time.monotonic() < deadline - 2:
        if not samples or time.monotonic() - wall0 - samples[-1][0] >= 10:
            sample()
        value = 1 - value
        written = time.monotonic()
        client.write_coil(1, bool(value), device_id=1)   # reject_gate, a coil in the 0.5 s group: reported on change
        seen = None
        while seen is None and time.monotonic() < written + 5:
            with open(events) as f:
                changes = [line for line in f if '"point_changed"' in line and '"plc-line3.reject_gate"' in line]
            if len(changes) > reported and f'"value":{"true" if value else "false"}' in changes[-1]:
                seen = time.monotonic()
                reported = len(changes)
            if seen is None:
                time.sleep(0.005)
        if seen is not None:
            modbus_latencies.append((seen - written) * 1000)
        time.sleep(1.3)
    while time.monotonic() < deadline:
        time.sleep(0.1)
    sample()
    cpu = (cpu_seconds() - cpu0) / (time.monotonic() - wall0) * 100
    rss = int([l for l in open(f"/proc/{daemon.pid}/status") if l.startswith("VmHWM")][0].split()[1]) / 1024
    # Where the resident pages are: private memory, and each shared library's share.
    rollup = {l.split(":")[0]: int(l.split()[1]) / 1024 for l in open(f"/proc/{daemon.pid}/smaps_rollup") if l.split()[-1] == "kB"}
    by_file, name = {}, None
    for line in open(f"/proc/{daemon.pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and ":" not in fields[0]:
            name = fields[5] if len(fields) > 5 else "[anonymous]"
        elif fields[0] == "Rss:":
            by_file[name] = by_file.get(name, 0) + int(fields[1]) / 1024
    swift = sum(v for k, v in by_file.items() if "/swift/" in k)
    own = sum(v for k, v in by_file.items() if k == binary or k.endswith("/edge-node"))
    libraries = sum(v for k, v in by_file.items() if k.startswith("/") and "/swift/" not in k and not k.endswith("/edge-node"))
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=15)
    records = [json.loads(l) for l in open(events)]
    gpio = [r["edge_age_ms"] for r in records if r.get("event") == "state" and "edge_age_ms" in r]
    print(f"daemon on the demo site for {duration:.0f} s ({binary}):")
    print(f"  CPU {cpu:.2f} % of one core (goal < 2), peak RSS {rss:.1f} MiB (goal < 20), READY after {ready_ms:.0f} ms (goal <= 300)")
    print(f"  resident now {rollup['Rss']:.1f} MiB: anonymous (heap, stacks) {rollup['Anonymous']:.1f}, the edge-node binary {own:.1f}, "
          f"Swift runtime and Foundation {swift:.1f}, other shared libraries {libraries:.1f} (PSS {rollup['Pss']:.1f} MiB)")
    print(f"  Modbus value change -> event record: p50 {statistics.median(modbus_latencies):.0f} ms, max {max(modbus_latencies):.0f} ms "
          f"({len(modbus_latencies)} changes; the point's poll group runs every 0.5 s)")
    print(f"  GPIO edge -> event record: p50 {statistics.median(gpio):.2f} ms, max {max(gpio):.2f} ms "
          f"({len(gpio)} settled changes, the 5 ms debounce included)")
    print(f"  {len(records)} events written")
    # Growth of the anonymous memory from the first quarter of the run to its end (the first
    # quarter lets buffers, caches and the maintenance baseline reach their working size).
    os.makedirs(os.path.join(repo, "bench/out"), exist_ok=True)
    with open(os.path.join(repo, "bench/out/daemon-samples.txt"), "w") as f:
        f.write("seconds anonymous_kib threads descriptors\n")
        f.writelines(f"{t:.0f} {kib} {threads} {fds}\n" for t, kib, threads, fds in samples)
    settled = next(s for s in samples if s[0] >= samples[-1][0] / 4)
    hours = (samples[-1][0] - settled[0]) / 3600
    growth = (samples[-1][1] - settled[1]) / 1024
    print(f"  anonymous memory {settled[1] / 1024:.2f} MiB at {settled[0]:.0f} s, {samples[-1][1] / 1024:.2f} MiB at {samples[-1][0]:.0f} s"
          + (f" ({growth / hours:+.2f} MiB per hour)" if hours > 0 else "")
          + f"; threads {samples[0][2]} -> {samples[-1][2]}, open descriptors {samples[0][3]} -> {samples[-1][3]}")
finally:
    for child in children:
        if child.poll() is None:
            child.kill()
            child.wait()
