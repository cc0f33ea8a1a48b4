import Support
import Foundation

/// Progress of a generation run, for the CLI's progress line.
public struct GenerationProgress: Sendable {
    public var done: Int
    public var total: Int
    public var generatedTokens: Int
    public var elapsed: Double

    public var tokensPerSecond: Double { elapsed > 0 ? Double(generatedTokens) / elapsed : 0 }
    /// Estimated seconds left, from the items finished in this run; nil before the first batch.
    public func eta(startedAt start: Int) -> Double? {
        let finished = done - start
        guard finished > 0, elapsed > 0 else { return nil }
        return elapsed / Double(finished) * Double(total - done)
    }

    /// `[#####-----] 50/100 items  812.3 tok/s  ETA 01:02`
    public func line(startedAt start: Int, width: Int = 24) -> String {
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let filled = min(width, max(0, Int((frac * Double(width)).rounded(.down))))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = self.eta(startedAt: start).map { Self.clock($0) } ?? "--:--"
        return "[\(bar)] \(done)/\(total) items  \(String(format: "%.1f", tokensPerSecond)) tok/s  ETA \(eta)"
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%02d:%02d", t / 60, t % 60)
    }
}

/// Runs a ``ResponseGenerator`` over benchmark items in batches and writes the reference layout
/// after every batch (atomically), so an interrupted run resumes where it stopped.
///
/// Resume rule: when `output` exists, its `meta_info` must agree on every key of ``GenerationRunner/meta(for:)``
/// and its records must match the items' instructions in order; its failed items (those with
/// `generation_error`) are generated again, then generation continues after the last record.
/// Anything else is an error (never silently overwritten).
///
/// Failures: a request the generator reports as failed (``GenerationResult/failure``) becomes a
/// record with an empty `response` and `generation_error` — never dropped; the run goes on.
public final class GenerationRunner {
    public let generator: ResponseGenerator
    public var batchSize: Int
    public var samples: Int
    /// Tokens of the target to pre-fill for items that carry one (`--prefill-tokens`); nil = none.
    public var prefillTokens: Int?
    /// Pre-fill items' whole prefill text as is (``PrefillSpec/whole(_:)``) instead of its first
    /// ``prefillTokens`` tokens: for sets whose prefill is already the response's opening (the
    /// safety world's prefill ladder).
    public var prefillWhole = false
    public var multiTurnMode: MultiTurnMode
    public var clock: () -> Double = { Date().timeIntervalSince1970 }

    public init(generator: ResponseGenerator, batchSize: Int = 8, samples: Int = 1, prefillTokens: Int? = nil, multiTurnMode: MultiTurnMode = .replay) {
        self.generator = generator
        self.batchSize = max(1, batchSize)
        self.samples = max(1, samples)
        self.prefillTokens = prefillTokens
        self.multiTurnMode = multiTurnMode
    }

    /// The `meta_info` this run writes (and requires of a file it resumes).
    public func meta(for benchmark: Benchmark) -> [String: EvalJSON] {
        meta(data: benchmark.rawValue, multiTurn: benchmark == .multiturn)
    }

    /// The `meta_info` for a set named `data` (`multiTurn`: record the multi-turn mode).
    public func meta(data: String, multiTurn: Bool) -> [String: EvalJSON] {
        var m = generator.settings
        m[MetaKey.data] = .string(data)
        m[MetaKey.model] = .string(generator.modelName)
        m["samples"] = .int(samples)
        m["prefill_tokens"] = prefillWhole ? .string("whole") : prefillTokens.map { .int($0) } ?? .null
        if multiTurn { m["multi_turn_mode"] = .string(multiTurnMode.rawValue) }
        m[MetaKey.formatVersion] = .int(SafetyEvalModule.formatVersion)
        return m
    }

    @discardableResult
    public func run(items: [BenchmarkItem], benchmark: Benchmark, output: String,
                    progress: ((GenerationProgress, Int) -> Void)? = nil) throws -> GenerationFile {
        try run(items: items, data: benchmark.rawValue, output: output, progress: progress)
    }

    /// Generates `items` of a set that is not one of the ``Benchmark`` files (the safety world's
    /// sets): `data` names it in `meta_info.data`; reports read the items' `label` (`benign` /
    /// `safe` count toward compliance, anything else toward harmfulness; ``Rates``). Multi-turn
    /// items (those with a `conversation`) follow ``multiTurnMode``.
    @discardableResult
    public func run(items: [BenchmarkItem], data: String, output: String,
                    progress: ((GenerationProgress, Int) -> Void)? = nil) throws -> GenerationFile {
        let meta = self.meta(data: data, multiTurn: data == Benchmark.multiturn.rawValue || items.contains { $0.conversation != nil })
        var file = GenerationFile(metaInfo: meta, data: [])
        if FileManager.default.fileExists(atPath: output) {
            let old = try GenerationFile.read(output)
            for (k, v) in meta where !(old.metaInfo[k].map { $0.sameValue(as: v) } ?? false) {
                throw SafetyEvalError.resumeMismatch(path: output, key: k, existing: describe(old.metaInfo[k]), requested: describe(v))
            }
            guard old.data.count <= items.count else {
                throw SafetyEvalError.resumeMismatch(path: output, key: "item count", existing: "\(old.data.count)", requested: "\(items.count)")
            }
            for (i, r) in old.data.enumerated() where r.instruction != items[i].instruction {
                throw SafetyEvalError.resumeItemMismatch(path: output, index: i)
            }
            file = old
            file.metaInfo = old.metaInfo.merging(meta) { _, new in new }
        }
        // Failed items first (in place), then the items not yet in the file.
        let todo = file.data.indices.filter { file.data[$0].generationError != nil } + Array(file.data.count ..< items.count)
        let start = items.count - todo.count
        let t0 = clock()
        var tokens = 0
        var k = 0
        while k < todo.count {
            let indices = Array(todo[k ..< min(todo.count, k + batchSize)])
            let records = try generate(indices.map { items[$0] }, tokens: &tokens)
            for (i, r) in zip(indices, records) {
                if i < file.data.count { file.data[i] = r } else { file.data.append(r) }
            }
            try file.write(to: output)
            k += indices.count
            progress?(GenerationProgress(done: start + k, total: items.count, generatedTokens: tokens, elapsed: clock() - t0), start)
        }
        if todo.isEmpty { try file.write(to: output) }
        return file
    }

    private func describe(_ v: EvalJSON?) -> String {
        guard let v else { return "(absent)" }
        if let d = try? AtomicFile.encoder().encode(v), let s = String(data: d, encoding: .utf8) {
            return s.replacingOccurrences(of: "\n", with: " ")
        }
        return "\(v)"
    }

    /// Generates one batch; multi-turn items go through ``replayConversations(_:tokens:)``.
    func generate(_ batch: [BenchmarkItem], tokens: inout Int) throws -> [GenerationRecord] {
        if batch.contains(where: { $0.conversation != nil }) {
            return try replayConversations(batch, tokens: &tokens)
        }
        let requests = batch.map { item in
            GenerationRequest(messages: [ChatTurn(role: "user", content: item.prompt)], prefill: prefill(item), samples: samples)
        }
        let results = try checked(generator.generate(requests), count: requests.count)
        return zip(batch, results).map { item, res in
            tokens += res.generatedTokens
            return record(item, res, conversation: nil)
        }
    }

    /// Multi-turn: in ``MultiTurnMode/replay`` every assistant turn is generated (one sample, batched
    /// across conversations turn by turn) and the final user turn gets `samples` samples; in
    /// ``MultiTurnMode/recorded`` the recorded history is kept and only the final turn is generated.
    func replayConversations(_ batch: [BenchmarkItem], tokens: inout Int) throws -> [GenerationRecord] {
        let convs = batch.map { $0.conversation ?? [ChatTurn(role: "user", content: $0.prompt)] }
        var history: [[ChatTurn]] = convs.map { _ in [] }
        var failed: [Int: GenerationResult] = [:]
        let userTurns = convs.map { c in c.filter { $0.role == "user" } }
        if multiTurnMode == .recorded {
            history = convs.map { Array($0.dropLast()) }
        } else {
            let maxTurns = userTurns.map(\.count).max() ?? 0
            for t in 0 ..< max(0, maxTurns - 1) {
                let active = userTurns.indices.filter { userTurns[$0].count - 1 > t && failed[$0] == nil }
                let reqs = active.map { k in GenerationRequest(messages: history[k] + [userTurns[k][t]], samples: 1) }
                let res = try checked(generator.generate(reqs), count: reqs.count)
                for (k, r) in zip(active, res) {
                    tokens += r.generatedTokens
                    if let why = r.failure {
                        failed[k] = .failed("turn \(t + 1): \(why)", prompt: r.prompt)
                        continue
                    }
                    history[k].append(userTurns[k][t])
                    history[k].append(ChatTurn(role: "assistant", content: historyContent(of: r.responses.first ?? "")))
                }
            }
        }
        let finals = batch.indices.map { k in
            GenerationRequest(messages: history[k] + [userTurns[k].last ?? ChatTurn(role: "user", content: batch[k].prompt)],
                              prefill: prefill(batch[k]), samples: samples)
        }
        let live = batch.indices.filter { failed[$0] == nil }
        let res = try checked(generator.generate(live.map { finals[$0] }), count: live.count)
        var byItem = failed
        for (k, r) in zip(live, res) { byItem[k] = r }
        return batch.indices.map { k in
            let r = byItem[k]!
            tokens += r.generatedTokens
            return record(batch[k], r, conversation: finals[k].messages)
        }
    }

    /// What to pre-fill for `item` (into its final turn): none unless it carries a prefill and
    /// ``prefillWhole`` or ``prefillTokens`` asks for one.
    func prefill(_ item: BenchmarkItem) -> PrefillSpec? {
        guard let p = item.prefill else { return nil }
        if prefillWhole { return .whole(p) }
        return prefillTokens.map { PrefillSpec(target: p, tokens: $0) }
    }

    private func checked(_ results: [GenerationResult], count: Int) throws -> [GenerationResult] {
        guard results.count == count, results.allSatisfy({ $0.responses.count >= 1 || $0.failure != nil }) else {
            throw SafetyEvalError.internalInconsistency(component: "generator '\(generator.modelName)'", detail: "returned \(results.count) results for \(count) requests (or an empty sample list)")
        }
        return results
    }

    private func record(_ item: BenchmarkItem, _ res: GenerationResult, conversation: [ChatTurn]?) -> GenerationRecord {
        var f: [String: EvalJSON] = item.fields
        f["id"] = .string(item.id)
        if !item.categories.isEmpty { f["category"] = .array(item.categories.map { .string($0) }) }
        if let l = item.label { f["label"] = .string(l) }
        if let p = res.prefillText { f["prefill"] = .string(p) }
        if let why = res.failure { f[GenerationRecord.errorKey] = .string(why) }
        if let n = res.responseTokens, n.count == res.responses.count { f[LengthKeys.responseTokens] = .array(n.map { .int($0) }) }
        if let n = res.thinkTokens, n.count == res.responses.count { f[LengthKeys.thinkTokens] = .array(n.map { $0.map { .int($0) } ?? .null }) }
        if let conversation {
            f["conversation"] = .array(conversation.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
        }
        return GenerationRecord(instruction: item.instruction, prompt: res.prompt, response: res.responses, fields: f)
    }
}
