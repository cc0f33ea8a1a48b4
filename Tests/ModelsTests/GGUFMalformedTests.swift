import Foundation
import XCTest
import Models
import Tokenizers

/// Malformed GGUF files: each gives a typed error that says what and where, and none traps.
/// One valid two-tensor file is built field by field and exactly one field is broken per case;
/// then seeded random corruptions of the committed fixtures (bytes flipped, u64 fields replaced,
/// truncation, insertions) must each end in a typed error or a valid result.
final class GGUFMalformedTests: XCTestCase {
    /// The fields of the valid file, each of which a case may replace.
    struct Spec {
        var magic = "GGUF"
        var version: UInt32 = 3
        var tensorCount: UInt64 = 2
        var kvCount: UInt64 = 3
        var key2 = "test.n"
        var key2Type: UInt32 = 4
        var alignment: (type: UInt32, value: UInt32) = (4, 32)
        var boolByte: UInt8 = 1
        var a = (name: "a", dims: [UInt64(4), 2], type: UInt32(0), offset: UInt64(0))
        var b = (name: "b", dims: [UInt64(32)], type: UInt32(8), offset: UInt64(64))
        var truncateTo: Int? = nil
        var keyLength: UInt64? = nil

        func bytes() -> [UInt8] {
            var w = GGUFTestBytes()
            w.bytes += Array(magic.utf8); w.u32(version); w.u64(tensorCount); w.u64(kvCount)
            if let keyLength { w.u64(keyLength); w.bytes += Array("general.architecture".utf8) } else { w.string("general.architecture") }
            w.u32(8); w.string("test")
            w.string(key2); w.u32(key2Type)
            if key2Type == 7 { w.u8(boolByte) } else { w.u32(7) }
            w.string("general.alignment"); w.u32(alignment.type); w.u32(alignment.value)
            w.tensorInfo(a.name, dims: a.dims, type: a.type, offset: a.offset)
            w.tensorInfo(b.name, dims: b.dims, type: b.type, offset: b.offset)
            w.pad(to: 32)
            w.floats((0..<8).map { Float($0) })                  // "a" at 0: 32 bytes
            w.bytes += [UInt8](repeating: 0, count: 32)          // gap up to 64
            w.bytes += [0x00, 0x3C] + (0..<32).map { UInt8($0) } // "b" at 64: Q8_0, d = 1.0 (f16), q = 0…31
            return truncateTo.map { Array(w.bytes.prefix($0)) } ?? w.bytes
        }
    }

    private func open(_ bytes: [UInt8]) throws -> GGUFFile {
        var w = GGUFTestBytes()
        w.bytes = bytes
        return try GGUFFile(path: try w.file(self))
    }

    /// Asserts that opening (and reading every tensor of) `spec` throws `malformedGGUF` whose text holds `phrase`.
    private func expectMalformed(_ spec: Spec, _ phrase: String, line: UInt = #line) {
        do {
            let f = try open(spec.bytes())
            for n in f.names { _ = try f.floats(n) }
            XCTFail("expected an error containing \"\(phrase)\"", line: line)
        } catch let e as ModelsError {
            guard case .malformedGGUF = e else { return XCTFail("wrong case: \(e)", line: line) }
            XCTAssertTrue(e.description.contains(phrase), "\"\(e.description)\" lacks \"\(phrase)\"", line: line)
            XCTAssertTrue(e.description.contains("at byte"), "the offset is named", line: line)
        } catch {
            XCTFail("untyped error \(error)", line: line)
        }
    }

    func testTheBaseFileIsValid() throws {
        let f = try open(Spec().bytes())
        XCTAssertEqual(try f.floats("a"), (0..<8).map { Float($0) })
        XCTAssertEqual(try f.floats("b"), (0..<32).map { Float($0) })
        XCTAssertEqual(f.metadata["test.n"]?.intValue, 7)
        XCTAssertEqual(try f.info("a").shape, [2, 4])
    }

    func testMalformedCases() throws {
        var cases: [(Spec, String)] = []
        func add(_ phrase: String, _ edit: (inout Spec) -> Void) { var s = Spec(); edit(&s); cases.append((s, phrase)) }
        add("needs 4 bytes") { $0.truncateTo = 0 }                                   // empty file
        add("truncated") { $0.truncateTo = 10 }                                      // header cut
        add("not \"GGUF\"") { $0.magic = "GGML" }                                    // bad magic
        add("version 1 is not supported") { $0.version = 1 }                         // GGUF v1
        add("version 7 is not supported") { $0.version = 7 }
        add("big-endian") { $0.version = UInt32(3).byteSwapped }
        add("tensor count") { $0.tensorCount = UInt64.max }                          // absurd counts
        add("metadata entry count") { $0.kvCount = 1 << 40 }
        add("length of key") { $0.keyLength = 1 << 50 }                             // string past end
        add("unknown value type 99") { $0.key2Type = 99 }                           // unknown value type
        add("not 0 or 1") { $0.key2Type = 7; $0.boolByte = 2 }
        add("power of two") { $0.alignment = (4, 48) }                               // bad alignment
        add("must be a uint32") { $0.alignment = (5, 32) }
        add("appears twice") { $0.key2 = "general.architecture" }                   // duplicate key
        add("appears twice") { $0.b.name = "a" }                                     // duplicate tensor
        add("has 0 dimensions") { $0.a.dims = [] }                                   // bad dimension counts
        add("has 5 dimensions") { $0.a.dims = [1, 1, 1, 1, 1] }
        add("above the") { $0.a.dims = [1 << 50, 1] }                                // absurd dimension
        add("overflows") { $0.a.dims = [1 << 30, 1 << 30] }                          // product past the limit
        add("unknown ggml type 99") { $0.a.type = 99 }                              // unknown tensor type
        add("do not split into Q8_0 blocks") { $0.b.dims = [33] }                   // partial block
        add("not a multiple of the alignment") { $0.b.offset = 40 }                 // misaligned
        add("runs past") { $0.b.offset = 1 << 20 }                                   // offset out of range
        add("runs past") { $0.b.offset = UInt64.max - 31 }
        add("runs past") { $0.a.dims = [16, 2] }                                     // size past the data
        add("overlap") { $0.b.offset = 0; $0.b.type = 0; $0.b.dims = [4] }          // overlapping tensors
        add("runs past") { $0.truncateTo = Spec().bytes().count - 1 }                // data cut short
        let dataStart = try open(Spec().bytes()).dataStart
        add("truncated") { $0.truncateTo = dataStart - 1 }                          // cut inside the table/padding
        for (spec, phrase) in cases { expectMalformed(spec, phrase) }
        XCTAssertGreaterThanOrEqual(cases.count, 12)
        print("GGUFMalformedTests: \(cases.count) malformed cases, each a typed error naming the byte")
    }

    func testUnsupportedTypeIsATypedErrorOnRead() throws {
        var s = Spec()
        s.b = (name: "b", dims: [256], type: 10, offset: 64)  // Q2_K: parses, but is not dequantised
        s.truncateTo = nil
        var bytes = s.bytes()
        bytes += [UInt8](repeating: 0, count: 84)
        let f = try open(bytes)
        XCTAssertThrowsError(try f.floats("b")) { e in
            XCTAssertTrue("\(e)".contains("Q2_K") && "\(e)".contains("llama-quantize"), "\(e)")
        }
    }

    func testArraysNestedTooDeep() throws {
        var w = GGUFTestBytes()
        w.header(tensors: 0, kvs: 1)
        w.string("deep"); w.u32(9)
        for _ in 0..<6 { w.u32(9); w.u64(1) }
        w.u32(4); w.u64(1); w.u32(1)
        XCTAssertThrowsError(try GGUFFile(path: try w.file(self))) { e in
            XCTAssertTrue("\(e)".contains("nests arrays deeper"), "\(e)")
        }
    }

    /// ≥ 1,000 seeded corruptions of the committed fixtures: opening, reading every tensor, and
    /// (for the model) building and loading the decoder either succeed or throw a typed error.
    func testSeededRandomCorruptions() throws {
        let quants = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try Fixtures.gguf("quants.gguf"))))
        let model = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try Fixtures.gguf("tiny-llama.gguf"))))
        let folder = try Fixtures.tempFolder(self)
        var rng = RandomSource(seed: 20261203)
        var outcomes = [String: Int]()
        let trials = 1200
        for trial in 0..<trials {
            let original = trial % 2 == 0 ? quants : model
            var bytes = original
            // Most structure lives in the first few KB (header, metadata, tensor table).
            let hot = min(bytes.count, trial % 2 == 0 ? 2048 : 4096)
            switch rng.next() % 5 {
            case 0:
                for _ in 0..<(1 + Int(rng.next() % 4)) { bytes[Int(rng.next() % UInt64(hot))] ^= UInt8(1 << (rng.next() % 8)) }
            case 1:
                let at = Int(rng.next() % UInt64(hot - 8))
                let v: UInt64 = [UInt64.max, 1 << 40, 1 << 62, rng.next(), 0, 5][Int(rng.next() % 6)]
                withUnsafeBytes(of: v.littleEndian) { for k in 0..<8 { bytes[at + k] = $0[k] } }
            case 2:
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            case 3:
                let at = Int(rng.next() % UInt64(hot))
                bytes.insert(contentsOf: (0..<(1 + Int(rng.next() % 8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            default:
                let at = Int(rng.next() % UInt64(hot))
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                bytes[(at + 1) % bytes.count] = 0xFF
            }
            let path = (folder as NSString).appendingPathComponent("c\(trial % 4).gguf")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                if trial % 2 == 0 {
                    let f = try GGUFFile(path: path)
                    for n in f.names { _ = try f.floats(n) }
                } else {
                    _ = try DecoderModel(folder: path)
                }
                outcomes["valid", default: 0] += 1
            } catch let e as ModelsError {
                outcomes[Self.caseName(e), default: 0] += 1
            } catch let e as TokenizerError {
                outcomes["TokenizerError \(e)".prefix(30).description, default: 0] += 1
            } catch {
                XCTFail("trial \(trial): untyped error \(error)")
            }
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), trials)
        XCTAssertGreaterThan(outcomes.count, 2, "corruptions hit several checks: \(outcomes)")
        print("GGUFMalformedTests: \(trials) seeded corruptions, no trap: \(outcomes.sorted { $0.key < $1.key })")
    }

    private static func caseName(_ e: ModelsError) -> String {
        switch e {
        case .malformedGGUF: return "malformedGGUF"
        case .weightMismatch: return "weightMismatch"
        case .invalidConfig, .unsupportedConfig: return "config"
        case .io: return "io"
        default: return String("\(e)".prefix(40))
        }
    }
}
