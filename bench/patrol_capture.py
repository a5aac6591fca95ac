"""A long patrol for the end-to-end benchmark: a route of 2,000 pass-by checkpoints every 50 m
eastward from the Zhuhai plant gate, and the RTK rover's NMEA (GGA + RMC at 10 Hz, 5 m/s) along it.
Usage: python3 patrol_capture.py ROUTE.yaml CAPTURE.nmea"""
import math, sys

route_path, capture_path = sys.argv[1], sys.argv[2]
lat0, lon0 = 22.2710, 113.5767
metres_per_degree_lon = 111320 * math.cos(math.radians(lat0))
with open(route_path, "w") as f:
    f.write("route: bench-line\ndatum: {frame: CGCS2000}\n")
    f.write("defaults: {radius: 3, arrival: pass-by, minimum_quality: rtk_float}\ncheckpoints:\n")
    for i in range(2000):
        f.write(f"  - {{name: cp{i}, lat: {lat0:.7f}, lon: {lon0 + (i * 50) / metres_per_degree_lon:.9f}}}\n")

def sentence(body):
    s = 0
    for c in body.encode():
        s ^= c
    return "$%s*%02X\r\n" % (body, s)

def nmea(deg, width, pos, neg):
    v = abs(deg); w = int(v); m = (v - w) * 60
    return ("%0" + str(width) + "d%011.8f,%s") % (w, m, pos if deg >= 0 else neg)

with open(capture_path, "w") as f:
    fixes = int(2000 * 50 / 0.5)
    for k in range(fixes):
        lon = lon0 + (k * 0.5) / metres_per_degree_lon
        seconds = k / 10
        t = "%02d%02d%05.2f" % (int(seconds // 3600) % 24, int(seconds // 60) % 60, seconds % 60)
        la, lo = nmea(lat0, 2, "N", "S"), nmea(lon, 3, "E", "W")
        f.write(sentence("GNGGA,%s,%s,%s,4,24,0.7,12.0,M,-3.1,M,1.0,0001" % (t, la, lo)))
        f.write(sentence("GNRMC,%s,A,%s,%s,9.7,90.0,291126,,,R,V" % (t, la, lo)))
