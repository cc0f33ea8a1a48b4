import Foundation
import XCTest
import Models
import Tensor
import Tokenizers

/// `exportGGUF` round trips: source model → GGUF (f32, f16, bf16, q8_0) → `DecoderModel(folder:)`
/// gives the source's logits within a bound per type; the writer's f16 and Q8_0 conversions
/// equal the `gguf` package's bit for bit.
final class GGUFExportTests: XCTestCase {
    static let ids = [5, 9, 200, 17, 3, 77, 500, 1, 42, 42, 8, 300]
    /// Bounds on max |Δlogit| against the source model, per stored type.
    static let bounds: [GGUFExportType: Float] = [.f32: 0, .f16: 1e-3, .bf16: 2e-2, .q8_0: 3e-2]

    func logits(_ model: DecoderModel) throws -> [Float] {
        try GradMode.noGrad { try model.forward(ids: Self.ids, batch: 1).logits.values }
    }

    func roundTrip(_ source: DecoderModel, label: String) throws {
        let folder = try Fixtures.tempFolder(self)
        let want = try logits(source)
        for type in GGUFExportType.allCases {
            let path = folder + "/m-\(type.rawValue).gguf"
            try source.exportGGUF(to: path, type: type, tokenizer: nil)
            let back = try DecoderModel(folder: path)
            XCTAssertEqual(back.config.family, source.config.family)
            XCTAssertEqual(back.config.tieWordEmbeddings, source.config.tieWordEmbeddings)
            let diff = maxAbsDiff(try logits(back), want)
            XCTAssertLessThanOrEqual(diff, Self.bounds[type]!, "\(label) \(type)")
            print("GGUFExportTests: \(label) → \(type.rawValue) GGUF → load: max |Δlogit| \(diff) (bound \(Self.bounds[type]!))")
        }
    }

    /// Qwen2 (biases, tied head) from the safetensors fixture folder.
    func testQwen2FolderRoundTrip() throws {
        try roundTrip(try DecoderModel(folder: try Fixtures.model("qwen2-tiny")), label: "qwen2-tiny")
    }

    /// Llama (permuted q/k, untied head) from a GGUF file: the export must permute back exactly.
    func testLlamaRoundTrip() throws {
        try roundTrip(try DecoderModel(folder: try Fixtures.gguf("tiny-llama.gguf")), label: "tiny-llama")
    }

    func testLlama3RopeIsRefused() throws {
        let model = try DecoderModel(folder: try Fixtures.model("llama31-tiny"))
        let path = try Fixtures.tempFolder(self) + "/x.gguf"
        XCTAssertThrowsError(try model.exportGGUF(to: path, type: .f32, tokenizer: nil)) { XCTAssertTrue("\($0)".contains("llama3"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing written")
    }

    /// f16/bf16 rounding and Q8_0 quantisation equal the `gguf` package's: converting the values
    /// the script quantised gives the fixture's bytes back.
    func testConversionsMatchTheGGUFPackage() throws {
        let file = try GGUFFile(path: try Fixtures.gguf("quants.gguf"))
        let expected = try SafeTensorsFile(path: try Fixtures.gguf("quants_expected.safetensors"))
        for name in file.names where name.hasPrefix("F16.") || name.hasPrefix("BF16.") || name.hasPrefix("Q8_0.") {
            let info = try file.info(name)
            let source = try expected.floats(name + ".source")
            var out = [UInt8](repeating: 0, count: info.dataRange.count)
            source.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBytes { GGUFWriter.encode(src.baseAddress!, count: source.count, as: info.type, into: $0.baseAddress!) }
            }
            XCTAssertEqual(out, Array(try file.rawBytes(name)), name)
        }
        XCTAssertEqual(GGUFQuantize.half(65520), 0x7C00, "rounds to infinity")
        XCTAssertEqual(GGUFQuantize.half(65519), 0x7BFF)
        XCTAssertEqual(GGUFQuantize.half(5.960464477539063e-08), 0x0001, "smallest subnormal")
        XCTAssertEqual(GGUFQuantize.half(2.980232238769531e-08), 0x0000, "half of it rounds to even (0)")
        XCTAssertEqual(GGUFQuantize.half(-0.0), 0x8000)
        XCTAssertEqual(GGUFQuantize.half(.nan) & 0x7E00, 0x7E00)
    }
}
