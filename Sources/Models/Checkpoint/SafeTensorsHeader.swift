/// One tensor's entry in a safetensors header.
public struct TensorInfo: Equatable, Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range inside the data section (after the 8-byte length and the header).
    public let dataRange: Range<Int>

    /// Number of elements (`shape` product; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
}

/// Parsing and validation of the safetensors header, which is untrusted input.
///
/// Layout (huggingface/safetensors, `docs/source/index.mdx`): 8-byte little-endian `N`, `N` bytes
/// of UTF-8 JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`,
/// then the data section. Checked here: `N` bounded and inside the file; the JSON; every dtype;
/// every dimension a non-negative integer with a product that does not overflow;
/// `product(shape) × size(dtype) == end − begin`; `begin ≤ end ≤` data size; no two ranges overlap;
/// metadata values are strings.
public enum SafeTensorsHeader {
    /// Largest header accepted (the safetensors reference implementation's limit, 100 MB).
    public static let maxHeaderBytes = 100_000_000
    /// Largest single dimension accepted (2^40; real checkpoints are far below).
    public static let maxDimension = 1 << 40

    /// Validates the header of a file of `fileSize` bytes whose first bytes are `prefix`
    /// (at least the first 8 bytes, and the whole header when it fits). Returns the tensors in
    /// data order, the metadata, and the offset of the data section.
    public static func parse(path: String, fileSize: Int, read: (Range<Int>) -> [UInt8]) throws
        -> (tensors: [TensorInfo], metadata: [String: String], dataStart: Int)
    {
        func bad(_ detail: String, _ tensor: String? = nil) -> ModelsError {
            .malformedSafeTensors(path: path, tensor: tensor, detail: detail)
        }
        guard fileSize >= 8 else {
            throw bad("file is \(fileSize) bytes, shorter than the 8-byte header length (truncated?)")
        }
        let lenBytes = read(0..<8)
        var n: UInt64 = 0
        for (k, b) in lenBytes.enumerated() { n |= UInt64(b) << (8 * UInt64(k)) }
        guard n <= UInt64(maxHeaderBytes) else {
            throw bad("header length \(n) exceeds the \(maxHeaderBytes)-byte limit")
        }
        let headerLen = Int(n)
        guard headerLen <= fileSize - 8 else {
            throw bad("header length \(headerLen) runs past the end of the \(fileSize)-byte file (truncated?)")
        }
        guard headerLen >= 2 else { throw bad("header length \(headerLen) is too short for a JSON object") }
        let dataStart = 8 + headerLen
        let dataSize = fileSize - dataStart

        let json: JSONValue
        do {
            json = try JSONParser.parse(read(8..<dataStart), path: path)
        } catch let e as JSONError {
            throw bad("header is not valid JSON (byte \(8 + e.offset): \(e.detail))")
        }
        guard case let .object(root) = json else { throw bad("header is \(json.typeName), not a JSON object") }

        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        var seen = Set<String>()
        for (name, value) in root.entries {
            guard seen.insert(name).inserted else { throw bad("name appears twice in the header", name) }
            if name == "__metadata__" {
                guard case let .object(meta) = value else { throw bad("__metadata__ is \(value.typeName), not an object") }
                for (k, v) in meta.entries {
                    guard let s = v.stringValue else { throw bad("__metadata__ value for \"\(k)\" is \(v.typeName), not a string") }
                    metadata[k] = s
                }
                continue
            }
            tensors.append(try entry(name: name, value: value, dataSize: dataSize, bad: bad))
        }
        tensors.sort { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        for (a, b) in zip(tensors, tensors.dropFirst()) where b.dataRange.lowerBound < a.dataRange.upperBound {
            throw bad("data range \(b.dataRange.lowerBound)..<\(b.dataRange.upperBound) overlaps tensor \"\(a.name)\" "
                + "(\(a.dataRange.lowerBound)..<\(a.dataRange.upperBound))", b.name)
        }
        return (tensors, metadata, dataStart)
    }

    private static func entry(name: String, value: JSONValue, dataSize: Int,
                              bad: (String, String?) -> ModelsError) throws -> TensorInfo {
        guard case let .object(obj) = value else { throw bad("entry is \(value.typeName), not an object", name) }
        guard let dtypeName = obj["dtype"]?.stringValue else { throw bad("missing or non-string \"dtype\"", name) }
        guard let dtype = DType(rawValue: dtypeName) else {
            let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw bad("unknown dtype \"\(dtypeName)\" (known: \(known))", name)
        }
        guard let shapeValues = obj["shape"]?.arrayValue else { throw bad("missing or non-array \"shape\"", name) }
        var shape: [Int] = []
        var count = 1
        for d in shapeValues {
            guard case let .number(text) = d else { throw bad("shape entry is \(d.typeName), not an integer", name) }
            guard let dim = Int(text) else { throw bad("shape entry \(text) is not an integer that fits 64 bits", name) }
            guard dim >= 0 else { throw bad("negative dimension \(dim) in shape", name) }
            guard dim <= maxDimension else { throw bad("dimension \(dim) is larger than \(maxDimension)", name) }
            let (p, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw bad("shape \(shapeValues.compactMap(\.intValue)) has an element count that overflows", name) }
            count = p
            shape.append(dim)
        }
        guard let offsets = obj["data_offsets"]?.arrayValue, offsets.count == 2 else {
            throw bad("missing \"data_offsets\" (expected [begin, end])", name)
        }
        guard let begin = offsets[0].intValue, let end = offsets[1].intValue else {
            throw bad("data_offsets are not integers", name)
        }
        guard begin >= 0, begin <= end else { throw bad("data_offsets [\(begin), \(end)] are not an ordered pair of non-negative offsets", name) }
        guard end <= dataSize else {
            throw bad("data_offsets [\(begin), \(end)] run past the \(dataSize)-byte data section (truncated file?)", name)
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, bytes == end - begin else {
            throw bad("shape \(shape) × \(dtype.rawValue) (\(dtype.size) bytes) needs \(overflow ? "more than Int.max" : String(bytes)) bytes "
                + "but data_offsets [\(begin), \(end)] hold \(end - begin)", name)
        }
        let known: Set<String> = ["dtype", "shape", "data_offsets"]
        if let extra = obj.keys.first(where: { !known.contains($0) }) { throw bad("unexpected key \"\(extra)\" in entry", name) }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }
}
