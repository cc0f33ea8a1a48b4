import Foundation
#if canImport(CBLAS)
import CBLAS
#endif
#if canImport(Glibc)
// glibc's allocator controls (<malloc.h>, which the Glibc module does not export), declared here so
// they depend on the C library rather than on which BLAS is linked. Values from glibc's malloc.h.
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
private let glibcTrimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
private let glibcMmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
#endif

/// Reference-counted owner of a contiguous `Float` buffer. Several tensors may share one storage
/// (a reshape is a view); the memory is freed when the last one goes.
public final class Storage: @unchecked Sendable {
    /// Base pointer of `count` floats; valid for the lifetime of this object.
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Allocates `count` floats, zero-filled unless `zeroed` is false (then the caller must write
    /// every element before reading it — used for outputs that a kernel overwrites entirely).
    public init(count: Int, zeroed: Bool = true) {
        _ = Storage.allocatorTuned
        self.count = count
        // Never allocate zero bytes: keeps `pointer` valid for empty tensors too.
        pointer = Storage.allocate(max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }

    deinit { free(pointer) }

    /// Buffers of 32 MiB and more (logits, vocabulary-sized gradients of 0.3–0.6 GB) are aligned
    /// to 2 MiB and marked for transparent huge pages (Linux `madvise`), so a fresh one costs one
    /// page fault per 2 MiB instead of per 4 KiB, and GEMMs that stride across its rows miss the
    /// TLB less. Smaller ones come from `malloc`. Both are released with `free`.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        allocateBytes(count * MemoryLayout<Float>.stride).bindMemory(to: Float.self, capacity: count)
    }

    /// `bytes` bytes (≥ 1) by the rule above; release with `free`. Small blocks come from `malloc`
    /// (16-byte aligned) unless `alignment` asks for more — `posix_memalign` for every activation had
    /// fragmented glibc's heap: r1-qwen-1.5b LoRA at T = 4096 peaked ~1.9 GB higher. Also used for
    /// BF16Gemm's pack buffers (64-byte aligned; the packed LM head is hundreds of MB each pass).
    static func allocateBytes(_ bytes: Int, alignment: Int = 16) -> UnsafeMutableRawPointer {
        var raw: UnsafeMutableRawPointer?
        if bytes >= 32 << 20, posix_memalign(&raw, 2 << 20, bytes) == 0, let raw {
            #if os(Linux)
            _ = madvise(raw, bytes, MADV_HUGEPAGE)
            #endif
            return raw
        }
        if alignment <= 16, let small = malloc(max(bytes, 1)) { return small }
        guard posix_memalign(&raw, max(alignment, 16), max(bytes, 1)) == 0, let raw else { fatalError("out of memory allocating \(bytes) bytes") }
        return raw
    }

    /// Keeps freed activation buffers in the process (Linux/glibc), run once before the first
    /// allocation. By default glibc serves blocks of 128 KiB and up with fresh `mmap` pages and
    /// returns them on free, so every training step page-faults and zero-fills each activation and
    /// gradient again (~7% of a step in `perf`, and 10–20% of `safekey bench train --shape small`
    /// throughput). Here blocks below 32 MiB (glibc's ceiling for this setting) come from the heap
    /// and up to 1 GiB of free heap is kept for reuse. Peak resident memory is unchanged; memory
    /// freed after a peak stays with the process, up to that 1 GiB.
    /// Returns the heap's free memory to the system (glibc `malloc_trim`), so that a following
    /// resident-memory measurement starts from what is live. Call it before resetting a peak-RSS
    /// mark; without it, buffers freed earlier stay resident (see `allocatorTuned`) and are reused.
    public static func releaseFreeMemory() {
        #if canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }

    static let allocatorTuned: Bool = {
        #if canImport(Glibc)
        _ = glibcMallopt(glibcMmapThreshold, 32 << 20)
        _ = glibcMallopt(glibcTrimThreshold, 1 << 30)
        #endif
        return true
    }()
}

/// An f32, contiguous, row-major CPU tensor that can take part in reverse-mode autodiff.
///
/// - `shape` lists dimensions outermost first; `count == shape.reduce(1, *)`.
/// - `data` points at `count` floats (shared with views created by `reshaped`).
/// - A tensor whose `requiresGrad` is true (a parameter, or the result of an op over one while
///   `GradMode.isEnabled`) gets a `grad` buffer of the same shape during `backward()`.
///
/// ```swift
/// let w = Tensor.parameter(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
/// let x = Tensor(shape: [1, 2], values: [0.5, -1])
/// let loss = try linear(x, weight: w).sum()
/// try loss.backward()     // w.grad now holds dloss/dw
/// ```
public final class Tensor: CustomStringConvertible {
    public let shape: [Int]
    public let count: Int
    public let storage: Storage
    /// First element of this tensor inside `storage` (always the start: tensors are contiguous).
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.pointer }

    /// Whether gradients flow to this tensor.
    public internal(set) var requiresGrad: Bool
    /// Optional human-readable name (parameters carry their Hugging Face weight key).
    public var name: String?
    /// Gradient buffer (same shape), created on first accumulation during backward.
    public internal(set) var gradStorage: Storage?
    /// The op that produced this tensor, when it was recorded on the tape.
    var node: Node?

    /// A zero tensor.
    public init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = Storage(count: count)
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose elements the caller overwrites entirely before any read (kernel outputs).
    init(uninitialized shape: [Int]) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = Storage(count: count, zeroed: false)
        self.requiresGrad = false
    }

    /// A tensor holding a copy of `values` (`values.count` must equal the product of `shape`).
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *),
                     "Tensor(shape: \(shape)): \(values.count) values for \(shape.reduce(1, *)) elements")
        self.init(zeros: shape, requiresGrad: requiresGrad)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { data.update(from: base, count: values.count) }
        }
    }

    /// A tensor that shares `storage` (a view with another shape).
    init(shape: [Int], sharing storage: Storage, requiresGrad: Bool) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        precondition(count <= storage.count)
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A trainable leaf tensor (its gradient is kept after `backward()`).
    public static func parameter(shape: [Int], values: [Float], name: String? = nil) -> Tensor {
        let t = Tensor(shape: shape, values: values, requiresGrad: true)
        t.name = name
        return t
    }

    /// Makes this tensor a trainable leaf (or stops it being one).
    public func setRequiresGrad(_ flag: Bool) {
        precondition(node == nil, "setRequiresGrad is for leaf tensors")
        requiresGrad = flag
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The values as an array (copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The gradient as an array (copy), or nil before backward reached this tensor.
    public var gradValues: [Float]? {
        gradStorage.map { Array(UnsafeBufferPointer(start: $0.pointer, count: count)) }
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, shape \(shape)")
        return data[0]
    }

    /// Gradient buffer, allocated zero-filled on first use.
    @usableFromInline func gradBuffer() -> UnsafeMutablePointer<Float> {
        if let g = gradStorage { return g.pointer }
        let g = Storage(count: count)
        gradStorage = g
        return g.pointer
    }

    /// The gradient buffer for a kernel that computes `g = beta·g + result` (a GEMM): a new buffer
    /// comes back uninitialised with `beta` 0, so the kernel overwrites it without a zero fill; an
    /// existing one comes back with `beta` 1 (accumulate).
    @usableFromInline func gradForAccumulation() -> (pointer: UnsafeMutablePointer<Float>, beta: Float) {
        if let g = gradStorage { return (g.pointer, 1) }
        let g = Storage(count: count, zeroed: false)
        gradStorage = g
        return (g.pointer, 0)
    }

    /// Drops the gradient (parameters: call before each accumulation window).
    public func zeroGrad() {
        if let g = gradStorage { g.pointer.update(repeating: 0, count: count) }
    }

    /// Frees the gradient buffer.
    public func dropGrad() { gradStorage = nil }

    /// The gradient buffer (`count` floats), allocated zero-filled when there is none yet — for
    /// code that fills gradients from outside the tape (data-parallel all-reduce).
    public func materializedGradient() -> UnsafeMutablePointer<Float> { gradBuffer() }

    /// A copy that does not take part in autodiff.
    public func detached() -> Tensor {
        let t = Tensor(zeros: shape)
        t.data.update(from: data, count: count)
        return t
    }

    public var description: String {
        let head = values.prefix(6).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape)\(name.map { " \($0)" } ?? ""): [\(head)\(count > 6 ? ", …" : "")])"
    }
}
