import Foundation
import TestSupport
import XCTest
import Models

/// Paths to the committed model fixtures (made by Scripts/make_model_fixtures.py).
enum Fixtures {
    static let root = RepoPaths.root

    static func model(_ name: String) throws -> String {
        let path = root.appendingPathComponent("Tests/Fixtures/models/\(name)").path
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            throw XCTSkip("fixture \(path) is missing; run python3 Scripts/make_model_fixtures.py")
        }
        return path
    }

    static func expected(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: try model(name) + "/expected.safetensors")
    }

    static func meta(_ name: String) throws -> JSONObject {
        let path = try model(name) + "/expected.json"
        guard let data = FileManager.default.contents(atPath: path),
              let obj = try JSONParser.parse([UInt8](data), path: path).objectValue else {
            throw XCTSkip("cannot read \(path)")
        }
        return obj
    }

    /// A fresh empty temporary folder, removed at the end of the test.
    static func tempFolder(_ test: XCTestCase) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("safekey-models-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}

/// Largest |a − b| over two equally long arrays (∞ when the lengths differ).
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}
