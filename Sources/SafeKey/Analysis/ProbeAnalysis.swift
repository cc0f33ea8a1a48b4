import Foundation
import Models
import Tensor

/// How separable harmful and benign records are from the model's hidden state at the end of U —
/// the paper's representation analysis (SafeKey §5: after SafeKey training, the understanding
/// already tells harmful from benign queries before K is written).
///
/// Feature of a record at level `l`: the hidden state of U's last token (position `keyStart − 1`,
/// just before K) at transformers' `hidden_states[l]` (`l = 0` embeddings, `1..<N` block outputs,
/// `N` the final norm; ``Inspection``). Label: the record's `unsafe` (``SafeKeyRecord``: the
/// `unsafe` field when present, else `source != "4o_rewrite"`). For each level, a
/// ``LogisticProbe`` is trained on all folds but one and scores the held-out fold
/// (``ProbeFolds``); accuracy (logit ≥ 0 means harmful) and AUC are computed over the pooled
/// held-out scores of all folds.
///
/// With trained DPSH heads (``SafetyHead``), their own accuracy and AUC on the same records: `C_head`
/// on the mean final hidden state over U, `ctx_head` over `[0, keyStart)` — on every record (the
/// heads were trained, so this is held-out only if the file was not their training data).
public enum ProbeAnalysis {
    /// Per-level features `[level][record · C]` and labels, from the records with U and K.
    public struct Features {
        public let levels: [[Float]]
        public let labels: [Bool]
        public let ids: [String]
        public let width: Int
        public var count: Int { labels.count }

        /// `levels[l]` holds `labels.count × width` floats, row-major, in record order.
        public init(levels: [[Float]], labels: [Bool], ids: [String], width: Int) {
            self.levels = levels
            self.labels = labels
            self.ids = ids
            self.width = width
        }
    }

    public struct LevelResult: Equatable {
        public let level: Int
        public let accuracy: Double
        public let auc: Double
        /// Held-out logit of each record (in record order).
        public let scores: [Double]
        /// Largest L-BFGS iteration count over the folds.
        public let iterations: Int
    }

    public struct HeadResult: Equatable {
        public let understandingAccuracy: Double, understandingAUC: Double
        public let contextAccuracy: Double, contextAUC: Double
        public let understandingLogits: [Double], contextLogits: [Double]
    }

    /// Name of level `l` of a model with `layers` blocks.
    public static func levelName(_ l: Int, layers: Int) -> String {
        l == 0 ? "embeddings" : l == layers ? "final norm (block \(layers - 1))" : "block \(l - 1)"
    }

    /// The features of every record (each must have U and K: `example.auxiliary`).
    public static func features(model: DecoderModel, records: [AnalysisRecord]) throws -> Features {
        let levels = model.config.numLayers + 1, c = model.config.hiddenSize
        var out = [[Float]](repeating: [], count: levels)
        for l in 0..<levels { out[l].reserveCapacity(records.count * c) }
        for r in records {
            let e = r.example
            let i = try model.inspect(ids: Array(e.inputIds.prefix(e.keyStart)), rows: [e.keyStart - 1])
            for l in 0..<levels { out[l].append(contentsOf: i.hidden[l]) }
        }
        return Features(levels: out, labels: records.map(\.example.unsafe), ids: records.map(\.id), width: c)
    }

    /// Cross-validated probe of one level. `folds` from ``ProbeFolds/assign(labels:folds:seed:)``.
    public static func probe(level: Int, features f: Features, folds: [Int], foldCount k: Int, l2: Double) -> LevelResult {
        let x = f.levels[level], c = f.width
        var scores = [Double](repeating: 0, count: f.count)
        var iterations = 0
        for fold in 0..<k {
            let train = (0..<f.count).filter { folds[$0] != fold }
            let test = (0..<f.count).filter { folds[$0] == fold }
            guard !test.isEmpty, !train.isEmpty else { continue }
            let trainX = train.flatMap { x[($0 * c)..<(($0 + 1) * c)] }
            let testX = test.flatMap { x[($0 * c)..<(($0 + 1) * c)] }
            let p = LogisticProbe(features: trainX, rows: train.count, labels: train.map { f.labels[$0] }, l2: l2)
            iterations = max(iterations, p.iterations)
            for (s, i) in zip(p.logits(testX, rows: test.count), test) { scores[i] = s }
        }
        return LevelResult(level: level, accuracy: accuracy(scores, f.labels), auc: ProbeFolds.auc(scores: scores, labels: f.labels),
                           scores: scores, iterations: iterations)
    }

    /// The DPSH heads' accuracy and AUC on the records.
    public static func heads(_ head: SafetyHead, model: DecoderModel, records: [AnalysisRecord]) throws -> HeadResult {
        var u: [Double] = [], ctx: [Double] = []
        for r in records {
            let e = r.example
            let (cu, cc) = try GradMode.noGrad { () throws -> (Float, Float) in
                let h = try model.hiddenStates(ids: Array(e.inputIds.prefix(e.keyStart)), batch: 1)
                let l = try head.logits(hidden: h, understanding: [(e.promptLength, e.keyStart)], context: [(0, e.keyStart)])
                return (l.understanding.item, l.context.item)
            }
            u.append(Double(cu))
            ctx.append(Double(cc))
        }
        let y = records.map(\.example.unsafe)
        return HeadResult(understandingAccuracy: accuracy(u, y), understandingAUC: ProbeFolds.auc(scores: u, labels: y),
                          contextAccuracy: accuracy(ctx, y), contextAUC: ProbeFolds.auc(scores: ctx, labels: y),
                          understandingLogits: u, contextLogits: ctx)
    }

    /// Fraction of records whose logit's sign (≥ 0 = harmful) matches the label.
    static func accuracy(_ logits: [Double], _ labels: [Bool]) -> Double {
        guard !labels.isEmpty else { return .nan }
        return Double(zip(logits, labels).filter { ($0 >= 0) == $1 }.count) / Double(labels.count)
    }
}
