import Synchronization

/// A lock-free single-producer single-consumer ring buffer over a preallocated power-of-two
/// buffer, for sample streams between an I/O thread and an analysis thread.
///
/// One thread may write (``push(_:)``, ``write(_:)``, ``withWritableSpans(_:)``) and one other
/// thread may read (``pop()``, ``read(into:)``, ``withReadableSpans(_:)``, ``latest(into:)``).
/// Block operations hand out the free or filled region as at most two contiguous spans (two when
/// it wraps). Positions are monotonic counters; index = position & (capacity - 1).
///
/// Multi-channel streams use a multi-lane element with one frame per element, so that the axes
/// of a sample stay together: ``ThreeAxisRing`` for a 3-axis accelerometer.
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    /// What the producer does when the ring is full.
    public enum FullPolicy: Sendable {
        /// Refuse the new elements and count them in ``overflowCount`` (nothing already queued is lost).
        case rejectNew
        /// Overwrite the oldest elements ("latest window" views); the reader skips what was
        /// overwritten and counts it in ``overflowCount``.
        case overwriteOldest
    }

    /// Elements the ring holds at most (a power of two).
    public let capacity: Int
    /// The policy when full.
    public let policy: FullPolicy
    @usableFromInline let mask: Int
    @usableFromInline let storage: UnsafeMutablePointer<Element>
    @usableFromInline let writePosition = Atomic<Int>(0)
    @usableFromInline let readPosition = Atomic<Int>(0)
    @usableFromInline let overflows = Atomic<Int>(0)

    /// Creates a ring of at least `minimumCapacity` elements (rounded up to a power of two).
    public init(minimumCapacity: Int, policy: FullPolicy = .rejectNew) {
        precondition(minimumCapacity > 0, "a ring needs room for at least one element")
        var size = 1
        while size < minimumCapacity { size <<= 1 }
        capacity = size
        mask = size - 1
        self.policy = policy
        storage = .allocate(capacity: size)
    }

    deinit { storage.deallocate() }

    /// Elements refused (``FullPolicy/rejectNew``) or overwritten before they were read
    /// (``FullPolicy/overwriteOldest``).
    @inlinable public var overflowCount: Int { overflows.load(ordering: .relaxed) }

    /// Elements ready to read (a snapshot).
    @inlinable public var count: Int {
        let written = writePosition.load(ordering: .acquiring)
        return min(written - readPosition.load(ordering: .acquiring), capacity)
    }

    /// Total elements ever written.
    @inlinable public var totalWritten: Int { writePosition.load(ordering: .acquiring) }

    // MARK: Producer

    /// Appends one element; false when full under ``FullPolicy/rejectNew``.
    @inlinable
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let write = writePosition.load(ordering: .relaxed)
        if policy == .rejectNew && write - readPosition.load(ordering: .acquiring) == capacity {
            overflows.add(1, ordering: .relaxed)
            return false
        }
        storage[write & mask] = element
        writePosition.store(write + 1, ordering: .releasing)
        return true
    }

    /// Appends as many elements of `source` as fit; returns how many were written.
    @inlinable
    @discardableResult
    public func write(_ source: UnsafeBufferPointer<Element>) -> Int {
        withWritableSpans { first, second in
            let inFirst = min(first.count, source.count)
            if inFirst > 0 { first.baseAddress!.update(from: source.baseAddress!, count: inFirst) }
            let inSecond = min(second.count, source.count - inFirst)
            if inSecond > 0 { second.baseAddress!.update(from: source.baseAddress! + inFirst, count: inSecond) }
            return inFirst + inSecond
        } refused: { written in source.count - written }
    }

    /// Hands the free region to `body` as at most two spans; `body` fills a prefix of them and
    /// returns how many elements it wrote, which are then published at once.
    @inlinable
    @discardableResult
    public func withWritableSpans(
        _ body: (UnsafeMutableBufferPointer<Element>, UnsafeMutableBufferPointer<Element>) -> Int
    ) -> Int {
        withWritableSpans(body, refused: { _ in 0 })
    }

    @usableFromInline
    func withWritableSpans(
        _ body: (UnsafeMutableBufferPointer<Element>, UnsafeMutableBufferPointer<Element>) -> Int,
        refused: (Int) -> Int
    ) -> Int {
        let write = writePosition.load(ordering: .relaxed)
        let free = policy == .rejectNew ? capacity - (write - readPosition.load(ordering: .acquiring)) : capacity
        let start = write & mask
        let firstCount = min(free, capacity - start)
        let first = UnsafeMutableBufferPointer(start: storage + start, count: firstCount)
        let second = UnsafeMutableBufferPointer(start: storage, count: free - firstCount)
        let written = body(first, second)
        precondition(written <= free, "wrote more elements than the spans hold")
        writePosition.store(write + written, ordering: .releasing)
        let lost = refused(written)
        if lost > 0 { overflows.add(lost, ordering: .relaxed) }
        return written
    }

    // MARK: Consumer

    /// Removes and returns the oldest element, nil when empty.
    @inlinable
    public func pop() -> Element? {
        let read = readPosition.load(ordering: .relaxed)
        let write = writePosition.load(ordering: .acquiring)
        guard write != read else { return nil }
        guard policy == .rejectNew else { return popOverwritten() }
        let element = storage[read & mask]
        readPosition.store(read + 1, ordering: .releasing)
        return element
    }

    /// ``pop()`` under ``FullPolicy/overwriteOldest``: through the validated span read.
    @usableFromInline
    func popOverwritten() -> Element? {
        var element: Element?
        withReadableSpans { first, _ in
            guard let value = first.first else { return 0 }
            element = value
            return 1
        }
        return element
    }

    /// Moves up to `destination.count` of the oldest elements into `destination`; returns how many.
    @inlinable
    @discardableResult
    public func read(into destination: UnsafeMutableBufferPointer<Element>) -> Int {
        withReadableSpans { first, second in
            let fromFirst = min(first.count, destination.count)
            if fromFirst > 0 { destination.baseAddress!.update(from: first.baseAddress!, count: fromFirst) }
            let fromSecond = min(second.count, destination.count - fromFirst)
            if fromSecond > 0 { (destination.baseAddress! + fromFirst).update(from: second.baseAddress!, count: fromSecond) }
            return fromFirst + fromSecond
        }
    }

    /// Hands the filled region to `body` as at most two spans (oldest first); `body` returns how
    /// many elements it consumed. Under ``FullPolicy/overwriteOldest`` elements the producer
    /// overwrote meanwhile are detected, skipped and counted, and `body` is not trusted with them:
    /// the call returns 0 and the next call starts at the oldest intact element.
    @inlinable
    @discardableResult
    public func withReadableSpans(_ body: (UnsafeBufferPointer<Element>, UnsafeBufferPointer<Element>) -> Int) -> Int {
        var read = readPosition.load(ordering: .relaxed)
        let write = writePosition.load(ordering: .acquiring)
        if write - read > capacity {
            // Lapped by the producer (overwrite policy): skip to the oldest element still held.
            overflows.add(write - read - capacity, ordering: .relaxed)
            read = write - capacity
        }
        let available = write - read
        let start = read & mask
        let firstCount = min(available, capacity - start)
        let consumed = body(UnsafeBufferPointer(start: storage + start, count: firstCount),
                            UnsafeBufferPointer(start: storage, count: available - firstCount))
        precondition(consumed <= available, "consumed more elements than were available")
        if policy == .overwriteOldest {
            let after = writePosition.load(ordering: .acquiring)
            if after - read > capacity {
                // The producer overwrote part of what body saw: drop this read.
                readPosition.store(read, ordering: .releasing)
                return 0
            }
        }
        readPosition.store(read + consumed, ordering: .releasing)
        return consumed
    }

    /// Copies the newest `destination.count` elements, oldest first, without consuming them (the
    /// "latest window" view). Returns false when fewer have been written or the producer overwrote
    /// them during the copy (try again).
    @inlinable
    public func latest(into destination: UnsafeMutableBufferPointer<Element>) -> Bool {
        let wanted = destination.count
        guard wanted <= capacity else { return false }
        let write = writePosition.load(ordering: .acquiring)
        guard write >= wanted else { return false }
        let start = (write - wanted) & mask
        let firstCount = min(wanted, capacity - start)
        destination.baseAddress!.update(from: storage + start, count: firstCount)
        if wanted > firstCount { (destination.baseAddress! + firstCount).update(from: storage, count: wanted - firstCount) }
        return writePosition.load(ordering: .acquiring) - (write - wanted) <= capacity
    }
}

/// The ring for a 3-axis accelerometer: x, y, z in lanes 0-2 of each frame (lane 3 is padding,
/// which keeps frames 16-byte aligned for SIMD).
public typealias ThreeAxisRing = SPSCRing<SIMD4<Float>>
