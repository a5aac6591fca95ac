"""A pymodbus TCP server for the Modbus tests: unit 1 with known registers, coils and inputs
(holding 0-99, input 0-49, coils 0-31, discrete inputs 0-15; anything else answers exception 2).
Usage: python3 modbus_server.py PORT (Modbus TCP on 127.0.0.1) or python3 modbus_server.py DEVICE
(Modbus RTU at 19200 8N1 on a serial device or pseudo-terminal: pyserial cannot set parity on a
pseudo-terminal, tcsetattr answers EINVAL); prints "ready" when serving, exits
when its standard input closes (pymodbus handles SIGTERM itself and keeps serving)."""
import asyncio, os, struct, sys, threading
from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus import FramerType
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer

def words(fmt, value):
    raw = struct.pack(">" + fmt, value)
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]

holding = [0] * 100
holding[0:2] = words("f", 123.456)                 # float32 ABCD at 0
holding[2:4] = words("f", -7.25)[::-1]             # float32 CDAB at 2
holding[4:8] = words("d", 6.02214076e23)           # float64 ABCD at 4
holding[8:10] = words("i", -123456)                # int32 ABCD at 8
holding[10:14] = words("q", -9_000_000_000)[::-1]  # int64 in reversed word order (GHEFCDAB) at 10
holding[14:18] = [ord("P") << 8 | ord("L"), ord("C") << 8 | ord("-"), ord("3") << 8, 0]  # "PLC-3"
holding[20] = 0xFFFE                                # int16 -2
inputs = [i * 10 for i in range(50)]
coils = [i % 3 == 0 for i in range(32)]
discrete = [i % 2 == 1 for i in range(16)]

async def main():
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    # pymodbus addresses data blocks from 1: block address 1 holds protocol address 0.
    device = ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, holding), ir=ModbusSequentialDataBlock(1, inputs),
                                 co=ModbusSequentialDataBlock(1, coils), di=ModbusSequentialDataBlock(1, discrete))
    context = ModbusServerContext(devices={1: device}, single=False)
    print("ready", flush=True)
    if sys.argv[1].startswith("/"):
        await StartAsyncSerialServer(context=context, port=sys.argv[1], framer=FramerType.RTU, baudrate=19200,
                                     parity="N", bytesize=8, stopbits=1)
    else:
        await StartAsyncTcpServer(context=context, address=("127.0.0.1", int(sys.argv[1])))

asyncio.run(main())
