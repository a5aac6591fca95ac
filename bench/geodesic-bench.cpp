// GeographicLib C++ (Debian libgeographiclib-dev) on the geodesic pairs of bench/out/pairs.txt:
// nanoseconds per inverse call, best of three passes. Usage: geodesic-bench PAIRS
#include <GeographicLib/Geodesic.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

int main(int argc, char **argv) {
    std::ifstream in(argv[1]);
    std::vector<double> v;
    double x;
    while (in >> x) v.push_back(x);
    const GeographicLib::Geodesic &g = GeographicLib::Geodesic::WGS84();
    double best = 1e30, sum = 0;
    size_t n = v.size() / 4;
    for (int pass = 0; pass < 3; pass++) {
        auto start = std::chrono::steady_clock::now();
        for (size_t i = 0; i < n; i++) {
            double s12, azi1, azi2;
            g.Inverse(v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3], s12, azi1, azi2);
            sum += s12;
        }
        double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / n;
        if (ns < best) best = ns;
    }
    printf("cpp_geodesic ns_per_inverse=%.1f checksum=%.3f\n", best, sum);
    return 0;
}
