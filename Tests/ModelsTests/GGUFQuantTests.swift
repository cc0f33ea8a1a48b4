import Foundation
import XCTest
import Models
import Tokenizers

/// Every GGUF tensor type this reader dequantises, against the `gguf` package's
/// `gguf.quants.dequantize` on tensors written with its `GGUFWriter` (odd shapes: an odd row
/// count, 1-D, 3-D), and the metadata of every value type against what the script wrote.
/// Fixtures: Tests/Fixtures/gguf/quants* (Scripts/make_gguf_fixtures.py).
final class GGUFQuantTests: XCTestCase {
    static let requiredTypes = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"]

    func testEveryTypeMatchesTheGGUFPackage() throws {
        let file = try GGUFFile(path: try Fixtures.gguf("quants.gguf"))
        let expected = try SafeTensorsFile(path: try Fixtures.gguf("quants_expected.safetensors"))
        var covered = Set<String>()
        let names = expected.names.filter { !$0.hasSuffix(".source") }
        XCTAssertEqual(Set(file.names), Set(names), "the same tensors on both sides")
        for name in names.sorted() {
            let info = try file.info(name)
            let want = try expected.floats(name)
            XCTAssertEqual(info.shape, try expected.info(name).shape, name)
            XCTAssertEqual(info.type.name, String(name.split(separator: ".")[0]), name)
            let got = try file.floats(name)
            // Same arithmetic in the same order as gguf-py: bit-identical for every type.
            let bad = zip(got, want).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
            XCTAssertNil(bad, "\(name) (\(info.type.name), shape \(info.shape)): element \(bad?.offset ?? -1) is \(bad?.element.0 ?? 0), gguf says \(bad?.element.1 ?? 0)")
            covered.insert(info.type.name)
        }
        XCTAssertEqual(covered, Set(Self.requiredTypes), "every required type has a fixture")
        print("GGUFQuantTests: \(names.count) tensors of \(covered.count) types bit-identical to gguf.quants.dequantize")
    }

    func testMetadataOfEveryValueType() throws {
        let file = try GGUFFile(path: try Fixtures.gguf("quants.gguf"))
        let meta = file.metadata
        let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.gguf("quants_meta.json")))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        XCTAssertEqual(meta.version, 3)
        XCTAssertEqual(meta.alignment, 64)
        XCTAssertEqual(file.dataStart % 64, 0)
        for (key, entry) in expected {
            let value = try XCTUnwrap(meta[key], key)
            let type = entry["type"] as! String
            XCTAssertEqual("\(value.type)".uppercased(), type, key)
            switch value {
            case .float32(let f): XCTAssertEqual(f, Float((entry["value"] as! NSNumber).doubleValue), key)
            case .float64(let d): XCTAssertEqual(d, (entry["value"] as! NSNumber).doubleValue, key)
            case .bool(let b): XCTAssertEqual(b, entry["value"] as? Bool, key)
            case .string(let s): XCTAssertEqual(s, entry["value"] as? String, key)
            case .uint64(let u): XCTAssertEqual(u, (entry["value"] as! NSNumber).uint64Value, key)
            case .array(let elementType, _):
                XCTAssertEqual("\(elementType)".uppercased(), entry["element_type"] as? String, key)
                XCTAssertEqual(describe(value), describe(entry["value"]!), key)
            default:
                XCTAssertEqual(value.intValue, (entry["value"] as! NSNumber).intValue, key)
            }
        }
        XCTAssertEqual(meta["general.architecture"]?.stringValue, "test")
    }

    /// A canonical text of nested numbers/strings (Swift value or JSON value).
    private func describe(_ v: Any) -> String {
        if let g = v as? GGUFValue {
            switch g {
            case .array(_, let values): return "[" + values.map { describe($0) }.joined(separator: ",") + "]"
            case .string(let s): return "\"\(s)\""
            default: return g.doubleValue.map { "\($0)" } ?? "?"
            }
        }
        if let a = v as? [Any] { return "[" + a.map { describe($0) }.joined(separator: ",") + "]" }
        if let s = v as? String { return "\"\(s)\"" }
        if let n = v as? NSNumber { return "\(Double(Float(n.doubleValue)) == n.doubleValue ? Double(Float(n.doubleValue)) : n.doubleValue)" }
        return "?"
    }
}
