import Foundation
import TestSupport
import XCTest
import Tensor

/// Loads committed fixtures (made by Scripts/make_tensor_fixtures.py) and compares tensors
/// element by element: `|a − b| ≤ atol + rtol·|b|`, reporting the worst element on failure.
enum Fixtures {
    static let directory = RepoPaths.fixtures.appendingPathComponent("tensor")

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NSError(domain: "Fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) is not a JSON object"])
        }
        return obj
    }
}

/// A `{"shape": [...], "data": [...]}` fixture entry.
struct FixtureTensor {
    let shape: [Int]
    let data: [Float]
    init(_ any: Any?) {
        let d = any as? [String: Any] ?? [:]
        shape = (d["shape"] as? [Any] ?? []).map { ($0 as? NSNumber)?.intValue ?? -1 }
        data = (d["data"] as? [Any] ?? []).map { ($0 as? NSNumber)?.floatValue ?? .nan }
    }
    func tensor(requiresGrad: Bool = false) -> Tensor { Tensor(shape: shape, values: data, requiresGrad: requiresGrad) }
}

/// Asserts `actual ≈ expected` elementwise; prints the worst element and the first values on failure.
func assertClose(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    var worst = -1, worstExcess: Float = 0
    for i in 0..<actual.count {
        let diff = abs(actual[i] - expected[i])
        let excess = diff - (atol + rtol * abs(expected[i]))
        if !(excess <= 0) && (worst < 0 || excess > worstExcess || excess.isNaN) { worst = i; worstExcess = excess }
    }
    if worst >= 0 {
        XCTFail("\(what): element \(worst) is \(actual[worst]), expected \(expected[worst]) (|diff| \(abs(actual[worst] - expected[worst])), atol \(atol), rtol \(rtol)); first values \(actual.prefix(4)) vs \(expected.prefix(4))",
                file: file, line: line)
    }
}

extension Dictionary where Key == String, Value == Any {
    func ints(_ key: String) -> [Int] { (self[key] as? [Any] ?? []).map { ($0 as? NSNumber)?.intValue ?? 0 } }
    func floats(_ key: String) -> [Float] { (self[key] as? [Any] ?? []).map { ($0 as? NSNumber)?.floatValue ?? .nan } }
    func float(_ key: String) -> Float { (self[key] as? NSNumber)?.floatValue ?? .nan }
    func bools(_ key: String) -> [Bool] { (self[key] as? [Any] ?? []).map { ($0 as? NSNumber)?.boolValue ?? false } }
}
