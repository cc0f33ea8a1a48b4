import Tensor

/// A validated, memory-mapped `.safetensors` file.
///
/// ```swift
/// let file = try SafeTensorsFile(path: "model.safetensors")
/// let w = try file.floats("model.norm.weight")        // F32/F16/BF16/F64 widened to Float
/// ```
public final class SafeTensorsFile {
    public let path: String
    /// Tensors by name.
    public let tensors: [String: TensorInfo]
    /// Names in data order (as laid out in the file).
    public let names: [String]
    /// The `__metadata__` strings (e.g. `["format": "pt"]`).
    public let metadata: [String: String]
    let map: MappedFile
    let dataStart: Int

    public init(path: String) throws {
        self.path = path
        map = try MappedFile(path: path)
        let m = map
        let header = try SafeTensorsHeader.parse(path: path, fileSize: map.size) { range in
            Array(m.bytes(range))
        }
        dataStart = header.dataStart
        metadata = header.metadata
        names = header.tensors.map(\.name)
        var byName: [String: TensorInfo] = [:]
        for t in header.tensors { byName[t.name] = t }
        tensors = byName
    }

    public func info(_ name: String) throws -> TensorInfo {
        guard let t = tensors[name] else { throw ModelsError.missingTensor(name: name, path: path) }
        return t
    }

    /// Widens tensor `name` into `dest`, which holds exactly `info.count` floats.
    /// With `release`, the file pages of the tensor are dropped from the resident set afterwards.
    public func read(_ name: String, into dest: UnsafeMutableBufferPointer<Float>, release: Bool = false) throws {
        let t = try info(name)
        guard dest.count == t.count else {
            throw ModelsError.invalidArgument("\(path): tensor \"\(name)\" has \(t.count) elements, destination holds \(dest.count)")
        }
        guard t.dtype.isFloatingPoint else {
            throw ModelsError.unsupportedDType(path: path, tensor: name, dtype: t.dtype.rawValue,
                                               detail: "an integer tensor cannot be loaded as floating-point weights")
        }
        let range = (dataStart + t.dataRange.lowerBound)..<(dataStart + t.dataRange.upperBound)
        let src = map.bytes(range)
        guard let out = dest.baseAddress, let raw = src.baseAddress else { return }
        // The data section has no alignment guarantee, so elements are loaded unaligned. Chunks are
        // widened on the worker threads (page faults on the source and destination included).
        let dtype = t.dtype
        Parallel.forRange(t.count, grain: 1 << 18) { r in
            switch dtype {
            case .f32:
                UnsafeMutableRawPointer(out + r.lowerBound).copyMemory(from: raw + 4 * r.lowerBound, byteCount: 4 * r.count)
            case .bf16:
                for k in r { out[k] = HalfConversion.bf16ToFloat(raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self).littleEndian) }
            case .f16:
                for k in r { out[k] = HalfConversion.f16ToFloat(raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self).littleEndian) }
            case .f64:
                for k in r { out[k] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self).littleEndian)) }
            default:
                break
            }
        }
        if release { map.release(range) }
    }

    /// Tensor `name` as BF16 bit patterns into `dest` (`info.count` values): a BF16 tensor's bits
    /// are copied exactly; other floating-point dtypes are widened to f32 and rounded to nearest
    /// even. With `release`, the tensor's file pages are dropped afterwards.
    public func readBF16(_ name: String, into dest: UnsafeMutableBufferPointer<UInt16>, release: Bool = false) throws {
        let t = try info(name)
        guard dest.count == t.count else {
            throw ModelsError.invalidArgument("\(path): tensor \"\(name)\" has \(t.count) elements, destination holds \(dest.count)")
        }
        guard let out = dest.baseAddress, t.count > 0 else { return }
        guard t.dtype == .bf16 else {
            // One tensor's f32 copy at a time (transient).
            let wide = UnsafeMutableBufferPointer<Float>.allocate(capacity: t.count)
            defer { wide.deallocate() }
            try read(name, into: wide, release: release)
            BF16.round(wide.baseAddress!, into: out, count: t.count)
            return
        }
        let range = (dataStart + t.dataRange.lowerBound)..<(dataStart + t.dataRange.upperBound)
        let src = map.bytes(range)
        guard let raw = src.baseAddress else { return }
        // Little-endian hosts only (as the f32 path): the file's bytes are the bits.
        UnsafeMutableRawPointer(out).copyMemory(from: raw, byteCount: 2 * t.count)
        if release { map.release(range) }
    }

    /// Tensor `name` widened to `Float` (row-major, `info.count` values).
    public func floats(_ name: String) throws -> [Float] {
        let t = try info(name)
        var out = [Float](repeating: 0, count: t.count)
        try out.withUnsafeMutableBufferPointer { try read(name, into: $0) }
        return out
    }

    /// Integer tensor `name` (I64, I32, I16, I8, U8 or BOOL) as `Int64` values.
    public func integers(_ name: String) throws -> [Int64] {
        let t = try info(name)
        let raw = map.bytes((dataStart + t.dataRange.lowerBound)..<(dataStart + t.dataRange.upperBound))
        func load<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
            (0..<t.count).map { Int64(raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self).littleEndian) }
        }
        switch t.dtype {
        case .i64: return load(Int64.self)
        case .i32: return load(Int32.self)
        case .i16: return load(Int16.self)
        case .i8: return load(Int8.self)
        case .u8, .bool: return load(UInt8.self)
        default:
            throw ModelsError.unsupportedDType(path: path, tensor: name, dtype: t.dtype.rawValue,
                                               detail: "a floating-point tensor cannot be read as integers; use floats(_:)")
        }
    }
}
