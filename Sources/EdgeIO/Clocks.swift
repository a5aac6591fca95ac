#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC in seconds: for rates, windows, timeouts and ordering.
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// CLOCK_REALTIME in nanoseconds since 1970 (UTC): when a value was acquired, for reports and the uplink.
public func utcNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}
