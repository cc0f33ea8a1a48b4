import Foundation
import XCTest
import Models
import Tensor
import Tokenizers

/// `exportGGUF` round trips: source model → GGUF (f32, f16, bf16, q8_0) → `DecoderModel(folder:)`.
/// F32 gives the source's logits exactly; F16 and BF16 give exactly (≤ 1e-5) the logits of the
/// source whose matrices were rounded to that type first, so the file adds nothing beyond that
/// rounding (which itself moves these logits, of magnitude ≤ ~9, by ≤ 1e-2 for F16 and ≤ 1e-1 for
/// BF16); Q8_0 stays within 0.25 of the source (≤ 3% of the logit range; 0.16 measured). The
/// writer's f16/bf16/Q8_0 conversions equal the `gguf` package's bit for bit.
final class GGUFExportTests: XCTestCase {
    static let ids = [5, 9, 200, 17, 3, 77, 500, 1, 42, 42, 8, 300]
    /// Bounds on max |Δlogit| against the unrounded source model, per stored type.
    static let bounds: [GGUFExportType: Float] = [.f32: 0, .f16: 1e-2, .bf16: 1e-1, .q8_0: 0.25]

    func logits(_ model: DecoderModel) throws -> [Float] {
        try GradMode.noGrad { try model.forward(ids: Self.ids, batch: 1).logits.values }
    }

    /// `source` loaded again with every matrix rounded through `type` (f16 or bf16) and back.
    func rounded(_ path: String, _ type: GGUFExportType) throws -> DecoderModel {
        let m = try DecoderModel(folder: path)
        for p in m.parameters where p.shape.count == 2 {
            for i in 0..<p.count {
                p.data[i] = type == .f16 ? HalfConversion.f16ToFloat(GGUFQuantize.half(p.data[i]))
                                         : HalfConversion.bf16ToFloat(HalfConversion.floatToBF16(p.data[i]))
            }
        }
        return m
    }

    func roundTrip(_ sourcePath: String, label: String) throws {
        let source = try DecoderModel(folder: sourcePath)
        let folder = try Fixtures.tempFolder(self)
        let want = try logits(source)
        for type in GGUFExportType.allCases {
            let path = folder + "/m-\(type.rawValue).gguf"
            try source.exportGGUF(to: path, type: type, tokenizer: nil)
            let back = try DecoderModel(folder: path)
            XCTAssertEqual(back.config.family, source.config.family)
            XCTAssertEqual(back.config.tieWordEmbeddings, source.config.tieWordEmbeddings)
            let got = try logits(back)
            let diff = maxAbsDiff(got, want)
            XCTAssertLessThanOrEqual(diff, Self.bounds[type]!, "\(label) \(type)")
            var note = ""
            if type == .f16 || type == .bf16 {
                let exact = maxAbsDiff(got, try logits(try rounded(sourcePath, type)))
                XCTAssertLessThanOrEqual(exact, 1e-5, "\(label) \(type) vs the source rounded to \(type)")
                note = "; vs the source rounded to \(type.rawValue): \(exact)"
            }
            print("GGUFExportTests: \(label) → \(type.rawValue) GGUF → load: max |Δlogit| vs source \(diff) (bound \(Self.bounds[type]!))\(note)")
        }
    }

    /// Qwen2 (biases, tied head) from the safetensors fixture folder.
    func testQwen2FolderRoundTrip() throws {
        try roundTrip(try Fixtures.model("qwen2-tiny"), label: "qwen2-tiny")
    }

    /// Llama (permuted q/k, untied head) from a GGUF file: the export must permute back exactly.
    func testLlamaRoundTrip() throws {
        try roundTrip(try Fixtures.gguf("tiny-llama.gguf"), label: "tiny-llama")
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
