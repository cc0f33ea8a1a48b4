import Tokenizers

/// One entry of a GGUF file's tensor-info table.
public struct GGUFTensorInfo: Equatable, Sendable {
    public let name: String
    public let type: GGMLType
    /// Dimensions in ggml order: `dims[0]` is the row length (the fastest-varying index).
    public let dims: [Int]
    /// Byte range of the data in the file (absolute).
    public let dataRange: Range<Int>

    /// Row-major shape as PyTorch/safetensors see it: `dims` reversed (`[out, in]` for a matrix).
    public var shape: [Int] { dims.reversed() }
    /// Number of elements (product of `dims`).
    public var count: Int { dims.reduce(1, *) }
    /// Length of one row (`dims[0]`).
    public var rowLength: Int { dims.first ?? 1 }
}

extension GGUFTensorInfo {
    /// Largest single dimension accepted (2^40, as for safetensors; real models are far below).
    public static let maxDimension = 1 << 40
    /// ggml's `GGML_MAX_DIMS`.
    public static let maxDims = 4

    /// Reads and validates the tensor-info table at `c` (entry `index` of `count`) against a data
    /// section of `dataSize` bytes that starts at `dataStart`. `dataStart` is only known after the
    /// table, so the ranges are checked by the caller (`GGUFFile`) once it is.
    static func read(_ c: inout GGUFCursor, index: Int) throws -> (name: String, type: GGMLType, dims: [Int], offset: UInt64, at: Int) {
        let at = c.offset
        let name = try c.string("name of tensor \(index)")
        let nAt = c.offset
        let nDims = try c.u32("dimension count of \"\(name)\"")
        guard nDims >= 1, nDims <= UInt32(maxDims) else {
            throw c.error("tensor \"\(name)\" has \(nDims) dimensions; GGUF allows 1 to \(maxDims)", at: nAt)
        }
        var dims = [Int]()
        var count = 1
        for k in 0..<Int(nDims) {
            let dAt = c.offset
            let d = try c.u64("dimension \(k) of \"\(name)\"")
            guard d <= UInt64(maxDimension) else {
                throw c.error("tensor \"\(name)\" dimension \(k) is \(d), above the \(maxDimension) limit (corrupt?)", at: dAt)
            }
            let (p, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, p <= maxDimension else {
                throw c.error("tensor \"\(name)\" has dimensions whose element count overflows (corrupt?)", at: dAt)
            }
            count = p
            dims.append(Int(d))
        }
        let tAt = c.offset
        let code = try c.u32("type of \"\(name)\"")
        guard let type = GGMLType(rawValue: code) else {
            throw c.error("tensor \"\(name)\" has unknown ggml type \(code)", at: tAt)
        }
        guard dims[0] % type.blockSize == 0 else {
            throw c.error("tensor \"\(name)\" rows of \(dims[0]) elements do not split into \(type.name) blocks of \(type.blockSize)", at: nAt)
        }
        let offset = try c.u64("data offset of \"\(name)\"")
        return (name, type, dims, offset, at)
    }
}
