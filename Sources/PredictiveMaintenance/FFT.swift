import CKissFFT

/// A complex number with the memory layout of KissFFT's `kiss_fft_cpx`.
public struct ComplexSample: Sendable, Equatable, BitwiseCopyable {
    public var real: Float
    public var imaginary: Float

    public init(real: Float, imaginary: Float) {
        self.real = real
        self.imaginary = imaginary
    }

    /// |z|.
    @inline(__always)
    public var magnitude: Float { (real * real + imaginary * imaginary).squareRoot() }
    /// |z|^2.
    @inline(__always)
    public var squaredMagnitude: Float { real * real + imaginary * imaginary }
}

/// The forward transform of real samples (KissFFT `kiss_fftr`), for a fixed even size. Plan
/// memory is allocated once, here; transforms allocate nothing. Unnormalised, like numpy's `rfft`.
public final class RealFFT: @unchecked Sendable {
    /// Samples per transform (even).
    public let size: Int
    private let plan: UnsafeMutableRawPointer

    /// Creates a plan; `size` must be even and positive.
    public init(size: Int) {
        precondition(size > 0 && size % 2 == 0, "a real FFT needs an even, positive size")
        self.size = size
        plan = kissPlan { memory, length in kiss_fftr_alloc(Int32(size), 0, memory, length).map(UnsafeMutableRawPointer.init) }
    }

    deinit { plan.deallocate() }

    /// Transforms `input` (``size`` samples) into `output` (``size``/2 + 1 bins).
    public func forward(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<ComplexSample>) {
        precondition(input.count == size && output.count == size / 2 + 1, "buffer sizes do not match the plan")
        output.withMemoryRebound(to: kiss_fft_cpx.self) { bins in
            kiss_fftr(OpaquePointer(plan), input.baseAddress, bins.baseAddress)
        }
    }
}

/// The complex transform (KissFFT `kiss_fft`), forward or inverse, for a fixed size.
/// Unnormalised in both directions (an inverse after a forward multiplies by ``size``).
public final class ComplexFFT: @unchecked Sendable {
    /// Points per transform.
    public let size: Int
    /// True for the inverse transform.
    public let inverse: Bool
    private let plan: UnsafeMutableRawPointer

    /// Creates a plan.
    public init(size: Int, inverse: Bool = false) {
        precondition(size > 0, "an FFT needs a positive size")
        self.size = size
        self.inverse = inverse
        plan = kissPlan { memory, length in
            kiss_fft_alloc(Int32(size), inverse ? 1 : 0, memory, length).map(UnsafeMutableRawPointer.init)
        }
    }

    deinit { plan.deallocate() }

    /// Transforms `input` into `output` (both ``size`` points; they must not overlap).
    public func transform(_ input: UnsafeBufferPointer<ComplexSample>, into output: UnsafeMutableBufferPointer<ComplexSample>) {
        precondition(input.count == size && output.count == size, "buffer sizes do not match the plan")
        input.withMemoryRebound(to: kiss_fft_cpx.self) { source in
            output.withMemoryRebound(to: kiss_fft_cpx.self) { destination in
                kiss_fft(OpaquePointer(plan), source.baseAddress, destination.baseAddress)
            }
        }
    }
}

/// Asks KissFFT how much plan memory it needs, allocates it ourselves and builds the plan in it,
/// so that the plan is freed by Swift (KissFFT's own free is a macro Swift cannot call).
private func kissPlan(_ build: (UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>) -> UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
    var length = 0
    _ = build(nil, &length)
    let memory = UnsafeMutableRawPointer.allocate(byteCount: max(length, 1), alignment: 16)
    guard build(memory, &length) != nil else { fatalError("KissFFT could not build a plan in \(length) bytes") }
    return memory
}
