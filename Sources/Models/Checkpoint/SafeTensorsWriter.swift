import Foundation

/// One f32 tensor to write: a name, a shape, and `shape.product` floats. The floats are either an
/// array or memory owned by `owner` (e.g. a `Tensor`'s storage), which the entry keeps alive.
public struct SafeTensorsEntry {
    public let name: String
    public let shape: [Int]
    let pointer: UnsafePointer<Float>?
    let owner: AnyObject?
    let array: [Float]

    public var count: Int { shape.reduce(1, *) }

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "SafeTensorsEntry \(name): \(values.count) values for shape \(shape)")
        self.name = name; self.shape = shape; self.array = values; self.pointer = nil; self.owner = nil
    }

    /// Borrows `pointer` (valid while `owner` lives).
    public init(name: String, shape: [Int], pointer: UnsafePointer<Float>, owner: AnyObject) {
        self.name = name; self.shape = shape; self.array = []; self.pointer = pointer; self.owner = owner
    }

    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let pointer { return try withExtendedLifetime(owner) { try body(UnsafeBufferPointer(start: pointer, count: count)) } }
        return try array.withUnsafeBufferPointer(body)
    }
}

/// Writes safetensors files and sharded model folders the way `transformers` `save_pretrained`
/// lays them out. Every file is written atomically: to a temporary file in the same folder,
/// `fsync`ed, then renamed over the destination, so a crash never leaves a half-written file.
public enum SafeTensorsWriter {
    /// Default shard limit, transformers' `max_shard_size="5GB"` in bytes (its decimal units).
    public static let defaultMaxShardBytes = 5_000_000_000

    /// Writes `entries` to one file, stored as `dtype` (`.f32` or `.bf16`, round-to-nearest-even).
    public static func write(_ entries: [SafeTensorsEntry], to path: String, dtype: DType = .f32,
                             metadata: [String: String] = ["format": "pt"]) throws {
        guard dtype == .f32 || dtype == .bf16 else {
            throw ModelsError.invalidArgument("safetensors writer stores F32 or BF16, not \(dtype.rawValue)")
        }
        var seen = Set<String>()
        var header = JSONObject()
        if !metadata.isEmpty {
            header["__metadata__"] = .object(JSONObject(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        var offset = 0
        for e in entries {
            guard seen.insert(e.name).inserted else { throw ModelsError.invalidArgument("\(path): tensor \"\(e.name)\" given twice") }
            let bytes = e.count * dtype.size
            header[e.name] = .object(JSONObject([
                ("dtype", .string(dtype.rawValue)),
                ("shape", .array(e.shape.map { .int($0) })),
                ("data_offsets", .array([.int(offset), .int(offset + bytes)])),
            ]))
            offset += bytes
        }
        var headerBytes = Array(JSONWriter.compact(.object(header)).utf8)
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        while (headerBytes.count % 8) != 0 { headerBytes.append(0x20) }

        try atomicWrite(path: path) { out in
            var len = UInt64(headerBytes.count).littleEndian
            try withUnsafeBytes(of: &len) { try out.write($0) }
            try headerBytes.withUnsafeBytes { try out.write($0) }
            for e in entries { try e.withFloats { try writeData($0, dtype: dtype, to: out) } }
        }
    }

    /// Writes a model's weights into `folder`: one `model.safetensors` when the total fits in
    /// `maxShardBytes`, otherwise `model-0000i-of-0000n.safetensors` shards (greedy, in entry
    /// order, a tensor never split) plus `model.safetensors.index.json`. Weight files of an
    /// earlier save that the new layout does not use are removed afterwards. Returns the file names.
    @discardableResult
    public static func writeModel(_ entries: [SafeTensorsEntry], folder: String, dtype: DType = .f32,
                                  maxShardBytes: Int = defaultMaxShardBytes) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var shards: [[SafeTensorsEntry]] = [[]]
        var current = 0
        for e in entries {
            let bytes = e.count * dtype.size
            if !shards[shards.count - 1].isEmpty && current + bytes > maxShardBytes {
                shards.append([])
                current = 0
            }
            shards[shards.count - 1].append(e)
            current += bytes
        }
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        var written: [String]
        if shards.count == 1 {
            written = [Checkpoint.singleFileName]
            try write(entries, to: path(Checkpoint.singleFileName), dtype: dtype)
        } else {
            let n = shards.count
            func pad(_ v: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, 5 - s.count)) + s }
            written = (1...n).map { "model-\(pad($0))-of-\(pad(n)).safetensors" }
            var weightMap: [(String, String)] = []
            for (k, shard) in shards.enumerated() {
                try write(shard, to: path(written[k]), dtype: dtype)
                weightMap += shard.map { ($0.name, written[k]) }
            }
            let total = entries.reduce(0) { $0 + $1.count * dtype.size }
            let index = JSONValue.object(JSONObject([
                ("metadata", .object(JSONObject([("total_size", .int(total))]))),
                ("weight_map", .object(JSONObject(weightMap.sorted { $0.0 < $1.0 }.map { ($0.0, .string($0.1)) }))),
            ]))
            try atomicWrite(path: path(Checkpoint.indexFileName)) { try $0.write(Array(JSONWriter.pretty(index).utf8)) }
            written.append(Checkpoint.indexFileName)
        }
        // Remove stale weight files (e.g. an old model.safetensors would shadow a new index).
        let keep = Set(written)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where !keep.contains(name) && (name == Checkpoint.indexFileName
            || (name.hasPrefix("model") && name.hasSuffix(".safetensors"))) {
            try? FileManager.default.removeItem(atPath: path(name))
        }
        return written
    }

    private static func writeData(_ src: UnsafeBufferPointer<Float>, dtype: DType, to out: FileSink) throws {
        if dtype == .f32 {
            #if _endian(little)
            try out.write(UnsafeRawBufferPointer(src))
            return
            #endif
        }
        let chunk = 1 << 18
        var buf = [UInt8](repeating: 0, count: chunk * dtype.size)
        var start = 0
        while start < src.count {
            let n = min(chunk, src.count - start)
            buf.withUnsafeMutableBytes { raw in
                for k in 0..<n {
                    let x = src[start + k]
                    if dtype == .bf16 {
                        raw.storeBytes(of: HalfConversion.floatToBF16(x).littleEndian, toByteOffset: 2 * k, as: UInt16.self)
                    } else {
                        raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 4 * k, as: UInt32.self)
                    }
                }
            }
            try buf.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<(n * dtype.size)])) }
            start += n
        }
    }

    /// ``AtomicFile/write(to:createFolders:_:)`` with its errors as ``ModelsError/io(path:detail:)``:
    /// a temporary sibling, fsynced, renamed over `path`, the folder fsynced; on failure `path` is
    /// untouched. The folder must exist (`writeModel` creates its own).
    public static func atomicWrite(path: String, _ body: (FileSink) throws -> Void) throws {
        try ModelsError.writing { try AtomicFile.write(to: path, createFolders: false, body) }
    }
}
