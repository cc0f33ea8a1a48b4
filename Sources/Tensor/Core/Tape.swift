import Foundation

/// Whether ops record themselves for backward. Inference wraps its work in `GradMode.noGrad`.
///
/// The flag is a task-local value: `noGrad` affects the code it wraps (and the child tasks it
/// starts), not other threads or tasks, so an inference task never switches off recording for a
/// training loop running beside it. A thread outside any task sees its own binding. Kernels never
/// read it from worker threads.
public enum GradMode {
    @TaskLocal private static var enabled = true

    /// True unless inside `noGrad` (in this task or thread).
    public static var isEnabled: Bool { enabled }

    /// Runs `body` with recording switched off (inference mode): no graph, no saved activations.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $enabled.withValue(false) { try body() }
    }

    /// Runs `body` with recording switched on (used by gradient checkpointing's recomputation).
    public static func withGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $enabled.withValue(true) { try body() }
    }
}

/// One recorded op: the tensors it read and a closure that, given the output's gradient, adds
/// the inputs' gradients. Define-by-run: the graph is the chain of `Tensor.node` references.
final class Node {
    let op: String
    let inputs: [Tensor]
    /// Called with the output tensor once its gradient is complete.
    let backward: (Tensor) -> Void
    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) -> Void) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Whether an op over `inputs` must be recorded.
    static func shouldRecord(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    /// Records `op` as the producer of `self` when any input needs a gradient.
    /// `backward` receives `self` (read `out.gradBuffer()` for the incoming gradient).
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> Void) -> Tensor {
        if OpProfile.isEnabled { OpProfile.recordForward(op) }
        if Tensor.shouldRecord(inputs) {
            requiresGrad = true
            node = Node(op: op, inputs: inputs, backward: backward)
        }
        return self
    }

    /// Reverse-mode autodiff from this scalar: accumulates d(self)/d(leaf) into every leaf
    /// tensor that requires a gradient (parameters), adding to what is already there.
    /// Intermediate gradients and the graph are released as the sweep passes them.
    ///
    /// `onLeafReady`, when given, is called once per leaf (a tensor with no producing op, e.g. a
    /// parameter) as soon as every recorded op that reads it has run its backward in this sweep,
    /// i.e. when the leaf's gradient from this loss is complete — data-parallel training starts
    /// all-reducing a bucket of gradients then, while the sweep continues (PyTorch DDP's hooks).
    /// Leaves read only inside `checkpointed` bodies are not inputs of this sweep's ops (they get
    /// their gradients during recomputation) and are never reported; callers treat every leaf
    /// not reported by the time `backward` returns as complete then.
    public func backward(onLeafReady: ((Tensor) -> Void)? = nil) throws {
        guard count == 1 else {
            throw TensorError.invalidBackward("needs a scalar loss, got shape \(shape)")
        }
        guard requiresGrad else {
            throw TensorError.invalidBackward("the loss does not depend on any tensor that requires a gradient")
        }
        gradBuffer()[0] += 1
        Tensor.backward(from: [self], onLeafReady: onLeafReady)
    }

    /// Backward sweep from `roots`, whose gradients are already seeded.
    static func backward(from roots: [Tensor], onLeafReady: ((Tensor) -> Void)? = nil) {
        // Iterative post-order DFS (graphs are thousands of nodes deep in long models).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = roots.map { ($0, false) }
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            let id = ObjectIdentifier(t)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        // Readers left per leaf (one per occurrence in an op's inputs), only when asked for.
        var readers: [ObjectIdentifier: Int] = [:]
        if onLeafReady != nil {
            for t in order { for input in t.node?.inputs ?? [] where input.node == nil && input.requiresGrad {
                readers[ObjectIdentifier(input), default: 0] += 1
            } }
        }
        for t in order.reversed() {
            guard let node = t.node else { continue }
            if t.gradStorage != nil {
                if OpProfile.isEnabled { OpProfile.timeBackward(node.op) { node.backward(t) } } else { node.backward(t) }
            }
            if let onLeafReady {
                for input in node.inputs where input.node == nil && input.requiresGrad {
                    let id = ObjectIdentifier(input)
                    let left = (readers[id] ?? 1) - 1
                    readers[id] = left
                    if left == 0 { onLeafReady(input) }
                }
            }
            // Free the graph behind us: intermediate gradients and saved activations.
            t.node = nil
            t.gradStorage = nil
        }
    }
}

/// Gradient checkpointing: runs `body` without recording, keeps only its inputs, and re-runs it
/// with recording during backward to get the gradients. Memory for activations inside `body`
/// is then needed only for one block at a time. Parameters used inside `body` receive their
/// gradients during the recomputation.
///
/// - Parameters:
///   - inputs: tensors `body` reads that may need gradients (e.g. the block's input hidden state).
///   - body: a pure function of `inputs` (and of parameters it captures) returning one tensor.
public func checkpointed(_ inputs: [Tensor], _ body: @escaping ([Tensor]) throws -> Tensor) throws -> Tensor {
    if !GradMode.isEnabled { return try body(inputs) }
    let out = try GradMode.noGrad { try body(inputs) }
    // The recorded node re-runs body on detached copies with recording on, then sweeps backward.
    let node = Node(op: "checkpoint", inputs: inputs) { output in
        let leaves = inputs.map { Tensor(shape: $0.shape, sharing: $0.storage, requiresGrad: $0.requiresGrad) }
        // Parameters captured by `body` must also get gradients, so recompute with recording.
        guard let recomputed = try? GradMode.withGrad({ try body(leaves) }) else {
            preconditionFailure("checkpointed block failed on recomputation after succeeding in forward")
        }
        guard recomputed.requiresGrad else { return }
        let seed = recomputed.gradBuffer()
        seed.update(from: output.gradBuffer(), count: output.count)
        Tensor.backward(from: [recomputed])
        for (leaf, input) in zip(leaves, inputs) where input.requiresGrad {
            if let g = leaf.gradStorage { addInto(input.gradBuffer(), g.pointer, input.count) }
        }
    }
    // Every block parameter needs a gradient even if `inputs` do not; mark the output as recorded.
    out.requiresGrad = true
    out.node = node
    return out
}

/// `dst[i] += src[i]` for i in 0..<n.
@inline(__always) func addInto(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let a = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: a + b, as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { dst[i] += src[i]; i += 1 }
}
