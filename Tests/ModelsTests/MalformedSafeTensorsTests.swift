import Foundation
import XCTest
import Models

/// Malformed safetensors files, each built here byte by byte: every one must give a
/// `malformedSafeTensors` error naming the file (and the tensor where there is one) — never a
/// crash or an out-of-bounds read.
final class MalformedSafeTensorsTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws { dir = try Fixtures.tempFolder(self) }

    /// Writes `8-byte length (or lengthOverride) + header + data` and returns the path.
    private func file(_ name: String, header: String, data: Int = 0, lengthOverride: UInt64? = nil, bytes: [UInt8]? = nil) throws -> String {
        let path = dir + "/\(name).safetensors"
        var out: [UInt8]
        if let bytes {
            out = bytes
        } else {
            let h = Array(header.utf8)
            var len = (lengthOverride ?? UInt64(h.count)).littleEndian
            out = withUnsafeBytes(of: &len) { Array($0) } + h + [UInt8](repeating: 7, count: data)
        }
        try Data(out).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func assertMalformed(_ path: String, tensor: String?, mentions: String, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(path: path), line: line) { error in
            guard case let ModelsError.malformedSafeTensors(p, t, detail) = error else {
                return XCTFail("expected malformedSafeTensors, got \(error)", line: line)
            }
            XCTAssertEqual(p, path, line: line)
            XCTAssertEqual(t, tensor, line: line)
            XCTAssertTrue(detail.contains(mentions), "\"\(detail)\" should mention \"\(mentions)\"", line: line)
            XCTAssertTrue("\(error)".contains(path), line: line)
        }
    }

    private let ok = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#

    func testWellFormedBaselineOpens() throws {
        let f = try SafeTensorsFile(path: try file("good", header: ok, data: 16))
        XCTAssertEqual(try f.info("w").shape, [2, 2])
    }

    func test01TruncatedBeforeLength() throws {
        assertMalformed(try file("t1", header: "", bytes: [1, 0, 0]), tensor: nil, mentions: "shorter than the 8-byte")
    }

    func test02HeaderLengthPastEnd() throws {
        assertMalformed(try file("t2", header: ok, data: 16, lengthOverride: 4096), tensor: nil, mentions: "past the end")
    }

    func test03HeaderLengthHuge() throws {
        assertMalformed(try file("t3", header: ok, data: 16, lengthOverride: UInt64.max), tensor: nil, mentions: "exceeds")
    }

    func test04NonJSONHeader() throws {
        assertMalformed(try file("t4", header: "{\"w\": {dtype: F32}}", data: 16), tensor: nil, mentions: "not valid JSON")
        assertMalformed(try file("t4b", header: "[1, 2, 3]", data: 16), tensor: nil, mentions: "not a JSON object")
    }

    func test05UnknownDType() throws {
        let h = #"{"w":{"dtype":"F8_E9","shape":[2],"data_offsets":[0,2]}}"#
        assertMalformed(try file("t5", header: h, data: 2), tensor: "w", mentions: "unknown dtype \"F8_E9\"")
    }

    func test06NegativeShape() throws {
        let h = #"{"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}}"#
        assertMalformed(try file("t6", header: h, data: 16), tensor: "w", mentions: "negative dimension")
    }

    func test07HugeShapeOverflows() throws {
        let h = #"{"w":{"dtype":"F32","shape":[1099511627776,1099511627776,1024],"data_offsets":[0,16]}}"#
        assertMalformed(try file("t7", header: h, data: 16), tensor: "w", mentions: "overflows")
        let h2 = #"{"w":{"dtype":"F32","shape":[1e30],"data_offsets":[0,16]}}"#
        assertMalformed(try file("t7b", header: h2, data: 16), tensor: "w", mentions: "not an integer")
    }

    func test08WrongByteCount() throws {
        let h = #"{"w":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,16]}}"#
        assertMalformed(try file("t8", header: h, data: 16), tensor: "w", mentions: "needs 8 bytes")
    }

    func test09DataTruncated() throws {
        assertMalformed(try file("t9", header: ok, data: 10), tensor: "w", mentions: "run past the 10-byte data section")
    }

    func test10OverlappingRanges() throws {
        let h = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        assertMalformed(try file("t10", header: h, data: 16), tensor: "b", mentions: "overlaps tensor \"a\"")
    }

    func test11MissingOrReversedOffsets() throws {
        assertMalformed(try file("t11", header: #"{"w":{"dtype":"F32","shape":[2]}}"#, data: 8), tensor: "w", mentions: "data_offsets")
        let h = #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#
        assertMalformed(try file("t11b", header: h, data: 8), tensor: "w", mentions: "ordered pair")
    }

    func test12BadMetadataAndDuplicates() throws {
        let h = #"{"__metadata__":{"format":3},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        assertMalformed(try file("t12", header: h, data: 4), tensor: nil, mentions: "__metadata__")
        let d = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertMalformed(try file("t12b", header: d, data: 8), tensor: "w", mentions: "twice")
    }

    func test13DeeplyNestedHeaderDoesNotOverflowStack() throws {
        let h = String(repeating: "[", count: 100_000)
        assertMalformed(try file("t13", header: h), tensor: nil, mentions: "nesting")
    }

    /// 200 headers with three random bytes changed. Seeded (SplitMix64), so a failure reproduces:
    /// the same seed gives the same 200 files; set SAFEKEY_FUZZ_SEED to explore other ones.
    func test14RandomGarbageNeverCrashes() throws {
        let seed = ProcessInfo.processInfo.environment["SAFEKEY_FUZZ_SEED"].flatMap { UInt64($0) } ?? 14
        var rng = SplitMix64(seed: seed)
        let base = Array(ok.utf8)
        for k in 0..<200 {
            var h = base
            for _ in 0..<3 { h[Int.random(in: 0..<h.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            let path = try file("fuzz\(k)", header: String(decoding: h, as: UTF8.self), data: Int.random(in: 0...20, using: &rng))
            if let f = try? SafeTensorsFile(path: path) {
                for n in f.names { _ = try? f.floats(n) }
            }
        }
    }
}
