import Foundation
import XCTest
import Models

final class SafeTensorsReaderTests: XCTestCase {
    func testReadsTransformersFileWithMetadataAndIntegers() throws {
        let dir = try Fixtures.model("qwen2-tiny")
        let f = try SafeTensorsFile(path: dir + "/model.safetensors")
        XCTAssertEqual(f.metadata["format"], "pt")
        let emb = try f.info("model.embed_tokens.weight")
        XCTAssertEqual(emb.dtype, .f32)
        XCTAssertEqual(emb.shape, [512, 64])
        XCTAssertNil(f.tensors["lm_head.weight"], "tied head is not stored by transformers")
        let ids = try Fixtures.expected("qwen2-tiny").integers("ids")
        XCTAssertEqual(ids.count, 24)
        XCTAssertTrue(ids.allSatisfy { $0 >= 3 && $0 < 512 })
        XCTAssertThrowsError(try Fixtures.expected("qwen2-tiny").floats("ids"))
        XCTAssertThrowsError(try f.floats("no.such.tensor")) { e in
            XCTAssertTrue("\(e)".contains("no.such.tensor"), "\(e)")
        }
    }

    /// The BF16 copy was made by torch's `.to(bfloat16)`: widening it must give exactly torch's
    /// rounding of the f32 weights, which is what our f32 → bf16 conversion computes.
    func testBF16MatchesTorchRoundingBitForBit() throws {
        let f32 = try Checkpoint(folder: try Fixtures.model("qwen2-tiny"))
        let bf = try Checkpoint(folder: try Fixtures.model("qwen2-tiny-bf16"))
        XCTAssertEqual(f32.names, bf.names)
        var checked = 0
        for name in f32.names {
            XCTAssertEqual(try bf.info(name).dtype, .bf16)
            let a = try f32.floats(name), b = try bf.floats(name)
            for (x, y) in zip(a, b) where HalfConversion.bf16ToFloat(HalfConversion.floatToBF16(x)) != y {
                XCTFail("\(name): \(x) rounds to \(HalfConversion.bf16ToFloat(HalfConversion.floatToBF16(x))), torch stored \(y)")
                return
            }
            checked += a.count
        }
        XCTAssertGreaterThan(checked, 100_000)
    }

    func testF16Widening() {
        XCTAssertEqual(HalfConversion.f16ToFloat(0x3C00), 1)
        XCTAssertEqual(HalfConversion.f16ToFloat(0xC000), -2)
        XCTAssertEqual(HalfConversion.f16ToFloat(0x7BFF), 65504)
        XCTAssertEqual(HalfConversion.f16ToFloat(0x0001), Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(HalfConversion.f16ToFloat(0x7C00), .infinity)
        XCTAssertTrue(HalfConversion.f16ToFloat(0x7E00).isNaN)
        XCTAssertEqual(HalfConversion.f16ToFloat(0x3555), 0.333251953125)
    }

    func testShardedFolderWithIndex() throws {
        let dir = try Fixtures.model("llama31-tiny")
        let c = try Checkpoint(folder: dir)
        let shardFiles = Set(c.files.values.map { ObjectIdentifier($0) })
        XCTAssertGreaterThan(shardFiles.count, 1, "fixture should be sharded")
        XCTAssertTrue(c.names.contains("lm_head.weight"))
        XCTAssertEqual(c.names.count, 21)
        XCTAssertEqual(try c.info("model.layers.1.mlp.down_proj.weight").shape, [64, 128])
    }

    func testIndexNamingAMissingTensorOrEscapingPathIsRefused() throws {
        let dir = try Fixtures.tempFolder(self)
        try SafeTensorsWriter.write([SafeTensorsEntry(name: "a", shape: [2], values: [1, 2])], to: dir + "/s1.safetensors")
        func index(_ map: String) throws {
            try Data("{\"metadata\": {}, \"weight_map\": \(map)}".utf8).write(to: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))
        }
        try index("{\"a\": \"s1.safetensors\"}")
        XCTAssertEqual(try Checkpoint(folder: dir).floats("a"), [1, 2])
        try index("{\"b\": \"s1.safetensors\"}")
        XCTAssertThrowsError(try Checkpoint(folder: dir)) { XCTAssertTrue("\($0)".contains("\"b\""), "\($0)") }
        try index("{\"a\": \"../s1.safetensors\"}")
        XCTAssertThrowsError(try Checkpoint(folder: dir)) { XCTAssertTrue("\($0)".contains("not a plain file name"), "\($0)") }
        XCTAssertThrowsError(try Checkpoint(folder: dir + "/nowhere"))
    }
}
