import Foundation
import XCTest
import Models

final class SafeTensorsWriterTests: XCTestCase {
    func testF32RoundTripIsExactAndAtomic() throws {
        let dir = try Fixtures.tempFolder(self)
        let a: [Float] = [1, -2.5, .pi, 1e-30, -0.0, 65504, 3.4e38]
        let b = (0..<12).map { Float($0) * 0.1 }
        let path = dir + "/x.safetensors"
        try SafeTensorsWriter.write([
            SafeTensorsEntry(name: "a", shape: [7], values: a),
            SafeTensorsEntry(name: "b.weight", shape: [3, 4], values: b),
            SafeTensorsEntry(name: "empty", shape: [0, 4], values: []),
        ], to: path)
        let f = try SafeTensorsFile(path: path)
        XCTAssertEqual(f.metadata, ["format": "pt"])
        XCTAssertEqual(try f.floats("a").map(\.bitPattern), a.map(\.bitPattern))
        XCTAssertEqual(try f.floats("b.weight"), b)
        XCTAssertEqual(try f.info("b.weight").shape, [3, 4])
        XCTAssertEqual(try f.floats("empty"), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["x.safetensors"], "no temporary file left")
        // The data section starts 8-byte aligned.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + n) % 8, 0)
    }

    func testBF16WriteRoundsToNearestEven() throws {
        let dir = try Fixtures.tempFolder(self)
        // 1 + 2^-8 is halfway between two bf16 values: ties to even (1.0); 1 + 3·2^-8 rounds up.
        let v: [Float] = [1 + 1.0 / 256, 1 + 3.0 / 256, -7.75, 1e-3]
        try SafeTensorsWriter.write([SafeTensorsEntry(name: "v", shape: [4], values: v)], to: dir + "/b.safetensors", dtype: .bf16)
        let f = try SafeTensorsFile(path: dir + "/b.safetensors")
        XCTAssertEqual(try f.info("v").dtype, .bf16)
        let got = try f.floats("v")
        XCTAssertEqual(got[0], 1)
        XCTAssertEqual(got[1], 1 + 4.0 / 256)
        XCTAssertEqual(got[2], -7.75)
        XCTAssertEqual(got[3], 0.00099945068359375)   // torch.tensor(1e-3).bfloat16()
    }

    func testFailedWriteLeavesDestinationUntouched() throws {
        let dir = try Fixtures.tempFolder(self)
        let path = dir + "/m.safetensors"
        try SafeTensorsWriter.write([SafeTensorsEntry(name: "a", shape: [1], values: [1])], to: path)
        XCTAssertThrowsError(try SafeTensorsWriter.write([
            SafeTensorsEntry(name: "a", shape: [1], values: [2]), SafeTensorsEntry(name: "a", shape: [1], values: [3]),
        ], to: path))
        XCTAssertEqual(try SafeTensorsFile(path: path).floats("a"), [1])
        XCTAssertThrowsError(try SafeTensorsWriter.write([], to: dir + "/no/such/dir/x.safetensors"))
    }

    func testShardedModelWriteWithIndexAndStaleFileCleanup() throws {
        let dir = try Fixtures.tempFolder(self)
        let entries = (0..<5).map { k in SafeTensorsEntry(name: "layer.\(k).weight", shape: [10, 10], values: (0..<100).map { Float($0 + k) }) }
        // A single file first, then a sharded save over it: the stale single file must go.
        try SafeTensorsWriter.writeModel(entries, folder: dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/model.safetensors"))
        let files = try SafeTensorsWriter.writeModel(entries, folder: dir, maxShardBytes: 900)
        XCTAssertEqual(files, ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                               "model-00003-of-00003.safetensors", "model.safetensors.index.json"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/model.safetensors"))
        let c = try Checkpoint(folder: dir)
        XCTAssertEqual(c.names, entries.map(\.name))
        for (k, e) in entries.enumerated() { XCTAssertEqual(try c.floats(e.name), (0..<100).map { Float($0 + k) }) }
        let index = try JSONParser.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))), path: "index")
        XCTAssertEqual(index.objectValue?["metadata"]?.objectValue?["total_size"]?.intValue, 2000)
    }
}
