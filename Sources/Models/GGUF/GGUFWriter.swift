import Tensor
import Tokenizers

/// One tensor for `GGUFWriter`: its GGUF name, row-major shape (written reversed, in ggml order),
/// storage type, and a closure that fills a buffer of `shape.product` floats with its values.
public struct GGUFWriteTensor {
    public let name: String
    public let shape: [Int]
    public let type: GGMLType
    let fill: (UnsafeMutableBufferPointer<Float>) throws -> Void

    public init(name: String, shape: [Int], type: GGMLType, fill: @escaping (UnsafeMutableBufferPointer<Float>) throws -> Void) {
        self.name = name; self.shape = shape; self.type = type; self.fill = fill
    }

    var count: Int { shape.reduce(1, *) }
}

/// Writes GGUF v3 files (ggml `docs/gguf.md`) atomically: header, metadata, tensor infos, then
/// each tensor's data at the next multiple of 32 bytes (`general.alignment`'s default). Tensors
/// are converted one at a time (F32, F16, BF16 or Q8_0), so memory stays at one tensor's copy.
public enum GGUFWriter {
    public static let alignment = 32
    /// Types the writer can produce.
    public static let writableTypes: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0]

    public static func write(path: String, metadata: [(key: String, value: GGUFValue)], tensors: [GGUFWriteTensor]) throws {
        var head = [UInt8]()
        head += Array("GGUF".utf8)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { head += $0 } }
        put(UInt32(3)); put(UInt64(tensors.count)); put(UInt64(metadata.count))
        for (key, value) in metadata { GGUFValue.encodeEntry(key: key, value: value, into: &head) }
        var offset = 0
        var sizes: [Int] = []
        for t in tensors {
            guard writableTypes.contains(t.type) else {
                throw ModelsError.invalidArgument("GGUF writer: \(t.name): cannot write \(t.type.name); writable types are F32, F16, BF16, Q8_0")
            }
            guard let size = t.type.byteCount(elements: t.count, rowLength: t.shape.last ?? 1) else {
                throw ModelsError.invalidArgument("GGUF writer: \(t.name): rows of \(t.shape.last ?? 1) do not split into \(t.type.name) blocks of \(t.type.blockSize)")
            }
            GGUFValue.encode(string: t.name, into: &head)
            put(UInt32(t.shape.count))
            for d in t.shape.reversed() { put(UInt64(d)) }
            put(t.type.rawValue)
            put(UInt64(offset))
            sizes.append(size)
            offset += (size + alignment - 1) / alignment * alignment
        }
        while head.count % alignment != 0 { head.append(0) }
        try SafeTensorsWriter.atomicWrite(path: path) { out in
            try out.write(head)
            for (t, size) in zip(tensors, sizes) {
                let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(t.count, 1))
                defer { values.deallocate() }
                let padded = (size + alignment - 1) / alignment * alignment
                let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(padded, 1), alignment: 16)
                defer { bytes.deallocate() }
                bytes.initializeMemory(as: UInt8.self, repeating: 0)
                try t.fill(UnsafeMutableBufferPointer(rebasing: values[0..<t.count]))
                encode(values.baseAddress!, count: t.count, as: t.type, into: bytes.baseAddress!)
                try out.write(UnsafeRawBufferPointer(rebasing: bytes[0..<padded]))
            }
        }
    }

    /// `count` floats in `type` (a writable type) at `dst`.
    public static func encode(_ src: UnsafePointer<Float>, count: Int, as type: GGMLType, into dst: UnsafeMutableRawPointer) {
        switch type {
        case .f32:
            for k in 0..<count { dst.storeBytes(of: src[k].bitPattern.littleEndian, toByteOffset: 4 * k, as: UInt32.self) }
        case .f16:
            for k in 0..<count { dst.storeBytes(of: GGUFQuantize.half(src[k]).littleEndian, toByteOffset: 2 * k, as: UInt16.self) }
        case .bf16:
            for k in 0..<count { dst.storeBytes(of: BF16.fromFloat(src[k]).littleEndian, toByteOffset: 2 * k, as: UInt16.self) }
        case .q8_0:
            GGUFQuantize.q8_0(src, dst, blocks: count / 32)
        default:
            preconditionFailure("GGUFWriter.encode: \(type.name) is not writable (checked by write)")
        }
    }
}
