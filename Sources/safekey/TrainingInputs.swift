import Foundation
import Models
import SafeKey
import Tokenizers

/// Shared by `encode`, `loss` and `train`: reads records, reports skipped ones on stderr with their
/// lines, and encodes them with the model folder's tokenizer and chat template.
enum TrainingInputs {
    struct Loaded {
        let tokenizer: Tokenizer
        let examples: [EncodedExample]
        /// Each example's record `id` (nil when the record has none), aligned with `examples`.
        let ids: [String?]
        let skipped: Int
        let truncatedAux: Int
    }

    /// `report: false` (data-parallel ranks other than 0, which read the same file) keeps the
    /// warnings and the summary line off stderr; errors still throw. `withoutSpans` ends the
    /// summary: what the command does with records that have no usable U/K spans.
    static func load(model: String, data: String, maxSeqLen: Int, strict: Bool, referenceSpans: Bool = false,
                     report reporting: Bool = true, withoutSpans: String = "train with SFT only") throws -> Loaded {
        let say = { (line: String) in if reporting { printErr(line) } }
        let tokenizer = try Tokenizer(path: model)
        let encoder = try RecordEncoder(tokenizer: tokenizer, maxSequenceLength: maxSeqLen, referenceSpans: referenceSpans)
        let (records, report) = try RecordReader.read(path: data, options: .init(requireOffsets: false, strict: strict)) { issue in
            say("warning: skipped \(issue)")
        }
        var examples: [EncodedExample] = []
        var ids: [String?] = []
        var failed = 0, truncated = 0, noOffsets = 0
        for r in records {
            do {
                let e = try encoder.encode(r)
                if !e.auxiliary {
                    if r.summaryEndIdx == nil { noOffsets += 1 } else { truncated += 1 }
                }
                examples.append(e)
                ids.append(r.id)
            } catch {
                if strict { throw error }
                say("warning: skipped: \(error)")
                failed += 1
            }
        }
        say("records: \(report.total) read, \(report.skipped.count) skipped (\(report.summary)), \(failed) failed to encode, \(examples.count) encoded; \(noOffsets) without U/K offsets and \(truncated) whose K no longer fits --max-seq-len \(maxSeqLen) \(withoutSpans)")
        guard !examples.isEmpty else { throw TrainingError.noData("\(data): no record could be used (see the warnings above)") }
        return Loaded(tokenizer: tokenizer, examples: examples, ids: ids, skipped: report.skipped.count + failed, truncatedAux: truncated)
    }
}
