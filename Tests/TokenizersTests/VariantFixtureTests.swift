import Foundation
import XCTest
import Tokenizers

/// Stages and flags the shipped tokenizers leave unused, against HF tokenizers on patched copies
/// (Scripts/make_tokenizer_fixtures.py `VARIANTS`): added-token lstrip/rstrip/single_word/normalized,
/// ByteLevel trim_offsets and add_prefix_space with the GPT-2 regex, Split with literal and general
/// regex patterns, invert, every split behaviour, and merges in the older "a b" string form.
final class TokenizerVariantFixtureTests: XCTestCase {
    func testVariantsMatchHF() throws {
        let variantsPath = Fixtures.fixtures.appendingPathComponent("variants.json").path
        guard let variants = try JSONParser.parse(file: variantsPath).objectValue else {
            return XCTFail("variants.json malformed")
        }
        XCTAssertEqual(variants.count, 4)
        for (name, patch) in variants.entries.sorted(by: { $0.key < $1.key }) {
            guard let base = patch["base"]?.stringValue else { return XCTFail("\(name): no base") }
            let folder = try Fixtures.tokenizerFolder(base)
            var spec = try XCTUnwrap(JSONParser.parse(file: folder + "/tokenizer.json").objectValue)
            for e in patch["set"]?.objectValue?.entries ?? [] { spec[e.key] = e.value }
            var added = spec["added_tokens"]?.arrayValue ?? []
            let updates = patch["update_added"]?.objectValue ?? [:]
            for k in added.indices {
                guard var token = added[k].objectValue, let content = token["content"]?.stringValue,
                      let update = updates[content]?.objectValue else { continue }
                for e in update.entries { token[e.key] = e.value }
                added[k] = .object(token)
            }
            added += patch["add_added"]?.arrayValue ?? []
            spec["added_tokens"] = .array(added)
            if patch["merges_as_strings"]?.boolValue == true, var model = spec["model"]?.objectValue,
               let merges = model["merges"]?.arrayValue {
                // the older "a b" form
                model["merges"] = .array(merges.map { .string(($0.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")) })
                spec["model"] = .object(model)
            }
            let tok = try Tokenizer(spec: spec, source: "variant \(name)")
            let rows = try Fixtures.jsonLines("variant-\(name).jsonl")
            XCTAssertGreaterThan(rows.count, 400)
            var failures = 0
            for row in rows {
                let text = row["text"] as? String ?? ""
                let ids = row["ids"] as? [Int] ?? []
                let offsets = Fixtures.offsets(row["off"] as? [Any] ?? [])
                let enc = try tok.encodeWithOffsets(text)
                if enc.ids != ids || !offsetsEqual(enc.offsets, offsets) {
                    failures += 1
                    if failures <= 4 {
                        XCTFail("\(name) \(text.debugDescription.prefix(80)):\n ids \(enc.ids.prefix(30))\n hf  \(ids.prefix(30))\n off \(enc.offsets.prefix(12).map { [$0.start, $0.end] })\n hf  \(offsets.prefix(12).map { [$0.0, $0.1] })")
                    }
                }
            }
            XCTAssertEqual(failures, 0, "\(name): \(failures) of \(rows.count) texts differ from HF")
        }
    }
}
