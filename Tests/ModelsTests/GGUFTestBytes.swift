import Foundation
import XCTest
import Models
import Tokenizers

/// Writes GGUF bytes field by field, so that tests can build valid files and break exactly one
/// field at a time (the malformed-file cases) without going through `GGUFWriter`.
struct GGUFTestBytes {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
    mutating func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) {
        bytes += Array("GGUF".utf8); u32(version); u64(tensors); u64(kvs)
    }
    mutating func kvString(_ key: String, _ value: String) { string(key); u32(8); string(value) }
    mutating func kvU32(_ key: String, _ value: UInt32) { string(key); u32(4); u32(value) }
    mutating func kvF32(_ key: String, _ value: Float) { string(key); u32(6); u32(value.bitPattern) }
    mutating func kvBool(_ key: String, _ value: Bool) { string(key); u32(7); u8(value ? 1 : 0) }
    mutating func kvStrings(_ key: String, _ values: [String]) {
        string(key); u32(9); u32(8); u64(UInt64(values.count)); for v in values { string(v) }
    }
    mutating func kvI32s(_ key: String, _ values: [Int32]) {
        string(key); u32(9); u32(5); u64(UInt64(values.count)); for v in values { u32(UInt32(bitPattern: v)) }
    }
    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name); u32(UInt32(dims.count)); for d in dims { u64(d) }; u32(type); u64(offset)
    }
    mutating func pad(to alignment: Int = 32) { while bytes.count % alignment != 0 { bytes.append(0) } }
    mutating func floats(_ values: [Float]) { for v in values { u32(v.bitPattern) } }

    /// Writes the bytes to a fresh temporary file (removed at the end of `test`).
    func file(_ test: XCTestCase, name: String = "t.gguf") throws -> String {
        let folder = try Fixtures.tempFolder(test)
        let path = (folder as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension Fixtures {
    /// A file under Tests/Fixtures/gguf (made by Scripts/make_gguf_fixtures.py).
    static func gguf(_ name: String) throws -> String {
        let path = root.appendingPathComponent("Tests/Fixtures/gguf/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("fixture \(path) is missing; run python3 Scripts/make_gguf_fixtures.py")
        }
        return path
    }

    /// The shared SmolLM2-135M-Instruct GGUF, or a skip when ../shared is absent.
    static func smolLM2() throws -> String {
        let path = root.appendingPathComponent("../shared/data/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
            .standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("shared model \(path) is absent: these tests read ../shared/data/models/smollm2-135m-instruct next to the repository")
        }
        return path
    }
}
