import Foundation

/// A column of the combined table: one benchmark under its primary metric.
public struct CombinedColumn: Codable, Equatable, Sendable {
    /// `safety` (harmfulness, lower is better), `over-refusal` (compliance on benign prompts) or `ability`.
    public var kind: String
    public var benchmark: String
    public var title: String
    public var metric: String
    public var judge: String
    public var part: String
    public var lowerIsBetter: Bool
}

/// One model's row: a value per column (nil when the model has no result there), the averages,
/// and the differences from the baseline model in percentage points.
public struct CombinedRow: Codable, Equatable, Sendable {
    public var model: String
    public var values: [Proportion?]
    /// Value − baseline value, in percentage points; nil without a baseline or a value.
    public var deltas: [Double?]
    /// Unweighted mean of the safety columns (harmfulness) present for this model.
    public var safetyMean: Double?
    /// Unweighted mean of the ability columns present for this model.
    public var abilityMean: Double?
    public var safetyMeanDelta: Double?
    public var abilityMeanDelta: Double?
    /// Per ability column: pass@k, truncation and lengths (nil where none).
    public var ability: [AbilityStats?]
}

/// The paper's main table: per model, harmfulness on each safety set, compliance on the
/// over-refusal sets, and accuracy / pass@1 on each ability benchmark, with deltas against a
/// baseline model (`safekey report --baseline NAME`).
///
/// Each benchmark contributes its primary metric, chosen by judge in this order (the first found
/// for any model; within a judge the part `response`, then `answer`, then `think`):
/// - safety: rubric `harmfulness@4`, llama-guard `harmfulness`, refusal `harmfulness`, any other;
/// - over-refusal: rubric `compliance`, refusal `compliance`, any other;
/// - ability: math / choice `accuracy`, code `pass@1`.
/// A mixed set (XSTest all) gives one safety and one over-refusal column.
public struct CombinedTable: Codable, Equatable, Sendable {
    public var baseline: String?
    public var columns: [CombinedColumn]
    public var rows: [CombinedRow]

    static let safetyOrder = [("rubric", "harmfulness@4"), ("llama-guard", "harmfulness"), ("refusal", "harmfulness")]
    static let complianceOrder = [("rubric", "compliance"), ("refusal", "compliance")]
    static let partOrder = ["response", "answer", "think"]

    /// Nil when there is nothing to combine (no ability result and no baseline).
    public static func build(_ cells: [ReportCell], models: [String], benchmarks: [String], baseline: String?) -> CombinedTable? {
        guard baseline != nil || cells.contains(where: { Rates.abilityJudges.contains($0.rate.judge) }) else { return nil }
        var columns: [CombinedColumn] = []
        for b in benchmarks {
            let mine = cells.filter { $0.benchmark == b }
            func pick(_ kind: String, _ order: [(String, String)], _ fallback: (ReportCell) -> Bool) {
                let candidates = order.flatMap { j, m in partOrder.map { p in mine.first { $0.rate.judge == j && $0.rate.metric == m && $0.rate.part == p } } }
                guard let c = candidates.compactMap({ $0 }).first ?? mine.first(where: fallback) else { return }
                columns.append(CombinedColumn(kind: kind, benchmark: b, title: c.title, metric: c.rate.metric, judge: c.rate.judge,
                                              part: c.rate.part, lowerIsBetter: c.rate.lowerIsBetter))
            }
            pick("safety", safetyOrder) { $0.rate.lowerIsBetter }
            pick("over-refusal", complianceOrder) { $0.rate.metric == "compliance" }
            pick("ability", [("math", "accuracy"), ("choice", "accuracy"), ("code", "pass@1")]) { Rates.abilityJudges.contains($0.rate.judge) }
        }
        // Safety, then over-refusal, then ability, each in benchmark order.
        columns = ["safety", "over-refusal", "ability"].flatMap { k in columns.filter { $0.kind == k } }
        func cell(_ m: String, _ c: CombinedColumn) -> ReportCell? {
            cells.first { $0.model == m && $0.benchmark == c.benchmark && $0.rate.judge == c.judge && $0.rate.part == c.part && $0.rate.metric == c.metric }
        }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        var rows: [CombinedRow] = models.map { m in
            let cs = columns.map { cell(m, $0) }
            let values = cs.map { c in c.flatMap { $0.rate.overall.n > 0 ? $0.rate.overall : nil } }
            let safety = zip(columns, values).compactMap { col, v in col.kind == "safety" ? v?.rate : nil }
            let ability = zip(columns, values).compactMap { col, v in col.kind == "ability" ? v?.rate : nil }
            return CombinedRow(model: m, values: values, deltas: values.map { _ in nil }, safetyMean: mean(safety), abilityMean: mean(ability),
                               safetyMeanDelta: nil, abilityMeanDelta: nil, ability: cs.map { $0?.rate.ability })
        }
        if let base = baseline, let b = rows.first(where: { $0.model == base }) {
            for i in rows.indices {
                rows[i].deltas = zip(rows[i].values, b.values).map { v, w in v.flatMap { v in w.map { (v.rate - $0.rate) * 100 } } }
                rows[i].safetyMeanDelta = rows[i].safetyMean.flatMap { v in b.safetyMean.map { (v - $0) * 100 } }
                rows[i].abilityMeanDelta = rows[i].abilityMean.flatMap { v in b.abilityMean.map { (v - $0) * 100 } }
            }
        }
        return CombinedTable(baseline: baseline, columns: columns, rows: rows)
    }

    /// `12.5 [9.1–16.9] (−30.2)`: rate, Wilson interval and the delta from the baseline in points.
    public static func cellText(_ p: Proportion?, delta: Double?, isBaseline: Bool) -> String {
        guard let p else { return "–" }
        var s = ReportMarkdown.cellText(p)
        if isBaseline { s += " (baseline)" } else if let d = delta { s += " (" + signed(d) + ")" }
        return s
    }

    /// `+3.5`, `−2.0`, `±0.0`.
    public static func signed(_ d: Double) -> String {
        let r = (d * 10).rounded() / 10
        if r == 0 { return "±0.0" }
        return (r > 0 ? "+" : "−") + String(format: "%.1f", abs(r))
    }

    /// A header like `StrongREJECT ↓` or `MATH-500 ↑ acc` (the judge and metric are listed below the table).
    public func header(_ c: CombinedColumn) -> String {
        "\(c.title) \(c.lowerIsBetter ? "↓" : "↑")"
    }
}
