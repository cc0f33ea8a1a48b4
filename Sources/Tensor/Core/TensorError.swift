/// Errors of the Tensor module: what went wrong, in which op, with which shapes, and what to do.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Shapes that cannot be combined by `op`.
    case shapeMismatch(op: String, detail: String)
    /// An empty tensor (some dimension is 0) where the op needs elements.
    case empty(op: String, shape: [Int])
    /// An index (token id, position, span bound) outside its valid range.
    case indexOutOfRange(op: String, detail: String)
    /// `backward()` on something that is not a scalar with a recorded graph.
    case invalidBackward(String)
    /// A value that is not allowed (e.g. a non-positive learning rate).
    case invalidArgument(op: String, detail: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, detail): return "\(op): shape mismatch: \(detail)"
        case let .empty(op, shape): return "\(op): empty tensor of shape \(shape); pass at least one element"
        case let .indexOutOfRange(op, detail): return "\(op): index out of range: \(detail)"
        case let .invalidBackward(detail): return "backward: \(detail)"
        case let .invalidArgument(op, detail): return "\(op): invalid argument: \(detail)"
        }
    }
}

@inline(__always) func checkNonEmpty(_ op: String, _ tensors: Tensor...) throws {
    for t in tensors where t.count == 0 { throw TensorError.empty(op: op, shape: t.shape) }
}
