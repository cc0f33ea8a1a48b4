import Foundation
import Support
import TestSupport
import XCTest

/// SplitMix64 and FNV-1a against values computed independently by Scripts/support_known_values.py
/// (Tests/Fixtures/support/known_values.json), plus the published FNV-1a test vectors.
final class KnownValuesTests: XCTestCase {
    private func fixture() throws -> JSONValue { try JSONParser.parse(file: RepoPaths.fixture("support/known_values.json")) }

    func testSplitMix64MatchesTheReference() throws {
        let cases = try XCTUnwrap(fixture()["splitmix64"]?.arrayValue)
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let seed = try XCTUnwrap(c["seed"]?.stringValue.flatMap { UInt64($0) })
            let expected = try XCTUnwrap(c["outputs"]?.arrayValue).compactMap { $0.stringValue.flatMap { UInt64($0, radix: 16) } }
            XCTAssertEqual(expected.count, 5)
            var g = SplitMix64(seed: seed)
            XCTAssertEqual((0..<5).map { _ in g.next() }, expected, "seed \(seed)")
        }
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF, "Vigna's splitmix64.c, seed 0")
        let u = g.nextUnit()
        XCTAssertEqual(u, Double(0x6E78_9E6A_A1B9_65F4 >> 11) * 0x1p-53)
        XCTAssertTrue((0..<1).contains(u))
    }

    func testFNV1aMatchesTheReference() throws {
        let cases = try XCTUnwrap(fixture()["fnv1a64"]?.arrayValue)
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let text = try XCTUnwrap(c["text"]?.stringValue), hash = try XCTUnwrap(c["hash"]?.stringValue)
            XCTAssertEqual(FNV1a.hex64(text), hash, text)
            XCTAssertEqual(FNV1a.hash64(Array(text.utf8)), UInt64(hash, radix: 16), text)
        }
        // Published vectors (isthe.com FNV test suite).
        XCTAssertEqual(FNV1a.hash64(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a.hex64("a"), "af63dc4c8601ec8c")
        XCTAssertEqual(FNV1a.hex64("foobar"), "85944171f73967e8")
        // Continuing from a previous hash is hashing the concatenation.
        XCTAssertEqual(FNV1a.hash64("bar".utf8, from: FNV1a.hash64("foo")), FNV1a.hash64("foobar"))
    }
}
