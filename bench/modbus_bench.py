"""The pymodbus side of the Modbus benchmark (bench/run-modbus).
  python3 modbus_bench.py client PORT N   a pymodbus client reads 10 holding registers N times:
                                          requests/s, per-request latency p50 and p99 (microseconds)
  python3 modbus_bench.py server PORT     a pymodbus TCP server with 100 holding registers"""
import asyncio, sys, time

def client(port, count):
    from pymodbus.client import ModbusTcpClient
    c = ModbusTcpClient("127.0.0.1", port=port)
    c.connect()
    latencies = []
    start = time.perf_counter()
    for _ in range(count):
        t = time.perf_counter()
        r = c.read_holding_registers(0, count=10, device_id=1)
        latencies.append((time.perf_counter() - t) * 1e6)
        assert not r.isError()
    seconds = time.perf_counter() - start
    latencies.sort()
    print(f"pymodbus-client requests_per_s={count / seconds:.0f} p50_us={latencies[count // 2]:.2f} p99_us={latencies[count * 99 // 100]:.2f}")

async def server(port):
    from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
    from pymodbus.server import StartAsyncTcpServer
    device = ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, list(range(100))))
    print("ready", flush=True)
    await StartAsyncTcpServer(context=ModbusServerContext(devices={1: device}, single=False), address=("127.0.0.1", port))

if sys.argv[1] == "client":
    client(int(sys.argv[2]), int(sys.argv[3]))
else:
    import warnings; warnings.simplefilter("ignore")
    asyncio.run(server(int(sys.argv[2])))
