/// An error the command line reports in one line on stderr, with its exit code.
public struct EdgeNodeError: Error, CustomStringConvertible {
    /// 1 for a runtime failure, 2 for a usage or input error.
    public let exitCode: Int32
    /// One line saying what went wrong and what to do.
    public let message: String

    /// A usage, configuration or input error (exit code 2).
    public static func input(_ message: String) -> EdgeNodeError { EdgeNodeError(exitCode: 2, message: message) }
    /// A runtime failure (exit code 1).
    public static func runtime(_ message: String) -> EdgeNodeError { EdgeNodeError(exitCode: 1, message: message) }

    public var description: String { message }
}
