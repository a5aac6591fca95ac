"""pip geographiclib on the geodesic pairs of bench/out/pairs.txt: nanoseconds per inverse call,
best of three passes. Usage: python3 pm-geodesic.py PAIRS"""
import sys, time
from geographiclib.geodesic import Geodesic

values = [float(x) for x in open(sys.argv[1]).read().split()]
pairs = [values[i:i + 4] for i in range(0, len(values), 4)]
g = Geodesic.WGS84
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    total = 0.0
    for a, b, c, d in pairs:
        total += g.Inverse(a, b, c, d, Geodesic.DISTANCE | Geodesic.AZIMUTH)["s12"]
    best = min(best, (time.perf_counter() - start) / len(pairs) * 1e9)
print(f"python_geodesic ns_per_inverse={best:.1f} checksum={total:.3f}")
