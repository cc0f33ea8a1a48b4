import Tensor
import Tokenizers

/// A validated, memory-mapped GGUF file (llama.cpp's format; ggml `docs/gguf.md`, versions 2 and 3):
/// the header and metadata (`GGUFMetadata`, shared with `Tokenizers`), the tensor-info table, and
/// the data section, which starts at the next multiple of `general.alignment` (default 32).
///
/// Validated like `SafeTensorsHeader`: every count and length against the bytes left; dimension
/// counts 1–4, dimensions ≤ 2^40 with an overflow-checked product; known ggml types; rows a whole
/// number of blocks; offsets multiples of the alignment; every tensor's bytes inside the file;
/// no two tensors overlapping; names unique. Faults throw `ModelsError.malformedGGUF` with the
/// byte offset; nothing traps.
///
/// ```swift
/// let file = try GGUFFile(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// let norm = try file.floats("output_norm.weight")       // dequantised to f32
/// ```
public final class GGUFFile {
    public let path: String
    public let metadata: GGUFMetadata
    /// Tensors by name.
    public let tensors: [String: GGUFTensorInfo]
    /// Tensor names in table order.
    public let names: [String]
    /// Byte offset of the data section.
    public let dataStart: Int
    let map: MappedFile

    public init(path: String) throws {
        self.path = path
        map = try MappedFile(path: path)
        let bytes = map.bytes(0..<map.size)
        do {
            let meta = try GGUFMetadata(bytes: bytes, path: path)
            metadata = meta
            var c = GGUFCursor(bytes: bytes, path: path, offset: meta.tensorInfoOffset)
            var raw: [(name: String, type: GGMLType, dims: [Int], offset: UInt64, at: Int)] = []
            raw.reserveCapacity(meta.tensorCount)
            var seen = Set<String>()
            for k in 0..<meta.tensorCount {
                let t = try GGUFTensorInfo.read(&c, index: k)
                guard seen.insert(t.name).inserted else { throw c.error("tensor name \"\(t.name)\" appears twice", at: t.at) }
                raw.append(t)
            }
            if meta.tensorCount > 0 { try c.align(to: meta.alignment, "padding before the data section") }
            dataStart = c.offset
            let dataSize = bytes.count - dataStart
            var infos: [GGUFTensorInfo] = []
            for t in raw {
                guard t.offset % UInt64(meta.alignment) == 0 else {
                    throw c.error("tensor \"\(t.name)\" data offset \(t.offset) is not a multiple of the alignment \(meta.alignment)", at: t.at)
                }
                let count = t.dims.reduce(1, *)
                guard let size = t.type.byteCount(elements: count, rowLength: t.dims[0]) else {
                    throw c.error("tensor \"\(t.name)\" size overflows", at: t.at)
                }
                guard t.offset <= UInt64(dataSize), size <= dataSize - Int(t.offset) else {
                    throw c.error("tensor \"\(t.name)\" data [\(t.offset), \(t.offset) + \(size)) runs past the \(dataSize)-byte data section (truncated file?)", at: t.at)
                }
                let start = dataStart + Int(t.offset)
                infos.append(GGUFTensorInfo(name: t.name, type: t.type, dims: t.dims, dataRange: start..<(start + size)))
            }
            let sorted = infos.sorted { $0.dataRange.lowerBound < $1.dataRange.lowerBound }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.dataRange.lowerBound < a.dataRange.upperBound {
                throw c.error("tensors \"\(a.name)\" and \"\(b.name)\" overlap in the data section", at: b.dataRange.lowerBound)
            }
            names = infos.map(\.name)
            var byName: [String: GGUFTensorInfo] = [:]
            for t in infos { byName[t.name] = t }
            tensors = byName
        } catch let TokenizerError.malformedGGUF(p, offset, detail) {
            throw ModelsError.malformedGGUF(path: p, offset: offset, detail: detail)
        }
    }

    public func info(_ name: String) throws -> GGUFTensorInfo {
        guard let t = tensors[name] else { throw ModelsError.missingTensor(name: name, path: path) }
        return t
    }

    /// The stored bytes of a tensor (quantised blocks as in the file).
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer { map.bytes(try info(name).dataRange) }

    /// Dequantises tensor `name` to f32 into `dest` (`info.count` values, row-major in ggml order:
    /// `dims[0]` fastest). With `release`, the file pages are dropped from the resident set afterwards.
    public func read(_ name: String, into dest: UnsafeMutableBufferPointer<Float>, release: Bool = false) throws {
        let t = try info(name)
        guard dest.count == t.count else {
            throw ModelsError.invalidArgument("\(path): tensor \"\(name)\" has \(t.count) elements, destination holds \(dest.count)")
        }
        guard t.type.isReadable else {
            throw ModelsError.unsupportedDType(path: path, tensor: name, dtype: t.type.name,
                                               detail: "this reader dequantises F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K; "
                                                   + "re-quantise the model to one of those with llama.cpp's llama-quantize")
        }
        guard let out = dest.baseAddress, let src = map.bytes(t.dataRange).baseAddress else { return }
        let type = t.type, blocks = t.count / type.blockSize
        // Chunks of whole blocks on the worker threads (page faults included).
        Parallel.forRange(blocks, grain: max(1, (1 << 16) / type.blockSize)) { r in
            GGUFDequantize.run(type, src + r.lowerBound * type.blockBytes, out + r.lowerBound * type.blockSize, blocks: r.count)
        }
        if release { map.release(t.dataRange) }
    }

    /// Tensor `name` dequantised to f32.
    public func floats(_ name: String) throws -> [Float] {
        let t = try info(name)
        var out = [Float](repeating: 0, count: t.count)
        try out.withUnsafeMutableBufferPointer { try read(name, into: $0) }
        return out
    }
}
