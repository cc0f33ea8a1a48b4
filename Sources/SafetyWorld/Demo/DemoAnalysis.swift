import Foundation
import Models
import SafeKey
import Tokenizers

/// The paper's two analyses (SafeKey §5) on the first seed's base, SFT and SafeKey models, for the
/// demo's report (issue 16 item 5): the same measures as `safekey analyze attention` and
/// `safekey analyze probe` (``AttentionAnalysis``, ``ProbeAnalysis``), on held-out records that carry
/// U and K — the held-out-family jailbreaks and their benign look-alikes in the same families (the
/// evaluation seed's tasks), with their reference traces.
///
/// - Attention: per model, the last layer's K→U and K→prompt (means with 95% intervals).
/// - Probe: per model and level (embeddings, each block, final norm), the held-out accuracy and AUC
///   of a logistic probe on the hidden state at U's last token, harmful vs benign, `folds`-fold
///   cross-validation with the seed's fold assignment.
public struct DemoAnalysis: Codable, Equatable {
    public struct ModelResult: Codable, Equatable {
        public var model: String
        public var kToU: MeanInterval
        public var kToPrompt: MeanInterval
        /// Per level `0...layers`: held-out probe accuracy and AUC (empty when a class has < 2 records).
        public var probeAccuracy: [Double]
        public var probeAUC: [Double]
    }

    public var seed: UInt64
    public var records: Int
    public var harmful: Int
    public var layer: Int
    public var folds: Int
    public var models: [ModelResult]

    /// Runs both analyses on `models` (name, folder), in that order, over `count` held-out jailbreaks
    /// and `count` held-out-wrapped look-alikes of evaluation seed `seed`.
    static func run(models: [(String, String)], seed: UInt64, count: Int, tokenizer: Tokenizer, folds: Int = 5) throws -> DemoAnalysis {
        let examples = try SafetyWorld.examples(.heldOutJailbreaks, count: count, seed: seed)
            + SafetyWorld.examples(.benignHeldOut, count: count, seed: seed)
        let records = zip(examples, try WorldTraining.encode(examples, tokenizer: tokenizer))
            .filter { $0.1.auxiliary }
            .map { AnalysisRecord(id: $0.0.id, example: $0.1) }
        let labels = records.map(\.example.unsafe)
        // Stratified folds need both classes in each; with fewer than 2 records of a class the probe is skipped.
        let k = min(folds, labels.filter { $0 }.count, labels.filter { !$0 }.count)
        let assignment = k >= 2 ? ProbeFolds.assign(labels: labels, folds: k, seed: seed) : []
        var results: [ModelResult] = []
        var layer = 0
        for (name, folder) in models {
            let model = try DecoderModel(folder: folder)
            layer = try AttentionAnalysis.resolveLayer(nil, model: model)
            let attention = try AttentionAnalysis.summarize(records.map { try AttentionAnalysis.measure(model: model, record: $0, layer: layer) },
                                                           layer: layer)
            let f = try ProbeAnalysis.features(model: model, records: records)
            let levels = k < 2 ? [] : (0..<f.levels.count).map { ProbeAnalysis.probe(level: $0, features: f, folds: assignment, foldCount: k, l2: 1) }
            results.append(ModelResult(model: name, kToU: attention.kToU, kToPrompt: attention.kToPrompt,
                                       probeAccuracy: levels.map(\.accuracy), probeAUC: levels.map(\.auc)))
        }
        return DemoAnalysis(seed: seed, records: records.count, harmful: labels.filter { $0 }.count, layer: layer, folds: k, models: results)
    }
}
