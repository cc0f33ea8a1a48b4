import Foundation
import Support

/// The annotator's gold set (issue 8 item 6) and exact-match scoring against it.
///
/// Gold file: JSON Lines, one row per labelled record, either a pointer into STAR-1
/// `{"ref": "star1", "index": i, "id": "…", "question_fp": "<FNV-1a-64 of the question>",
///   "summary_end_idx": s, "next_sentence_end_idx": n}` — the text stays in STAR-1 — or a record
/// carried inline `{"ref": "inline", "id": …, "question": …, "response": …, "source": …, offsets}`.
/// Built by Scripts/annot_gold_labels.py, which documents how the labels were made.
public struct GoldItem: Sendable {
    /// `star1#<index>` or the inline id.
    public let name: String
    /// "star1" or "inline".
    public let group: String
    public let question: String
    public let response: NormalizedResponse
    public let unsafe: Bool
    public let summaryEndIdx: Int
    public let nextSentenceEndIdx: Int
}

public enum GoldSet {
    /// Loads the gold rows; STAR-1 pointers are resolved in `star1` (the records of STAR-1.json,
    /// in file order) and checked by id and question fingerprint. Pointer rows are skipped with a
    /// note when `star1` is nil.
    public static func load(path: String, star1: [SafeKeyRecord]?) throws -> (items: [GoldItem], notes: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnnotatorError.io(path: path, reason: "cannot read the gold file")
        }
        var items: [GoldItem] = [], notes: [String] = []
        var skippedStar = 0
        for (n, raw) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !raw.isEmpty {
            let line = n + 1
            let obj: JSONValue
            do { obj = try JSONParser.parse(Array(raw), path: path) } catch let e as JSONError {
                throw AnnotatorError.badGold(path: path, line: line, reason: "not valid JSON at column \(e.offset + 1): \(e.detail)")
            }
            guard obj.objectValue != nil else { throw AnnotatorError.badGold(path: path, line: line, reason: "not a JSON object") }
            guard let s = obj["summary_end_idx"].flatMap(RecordReader.intValue), let e = obj["next_sentence_end_idx"].flatMap(RecordReader.intValue) else {
                throw AnnotatorError.badGold(path: path, line: line, reason: "needs integer summary_end_idx and next_sentence_end_idx")
            }
            switch obj["ref"]?.stringValue {
            case "star1":
                guard let star1 else { skippedStar += 1; continue }
                guard let index = obj["index"].flatMap(RecordReader.intValue), index >= 0, index < star1.count else {
                    throw AnnotatorError.badGold(path: path, line: line, reason: "STAR-1 index missing or beyond the \(star1.count) records given")
                }
                let r = star1[index]
                if let fp = obj["question_fp"]?.stringValue, fp != ScalarText.fingerprint(r.question) {
                    throw AnnotatorError.badGold(path: path, line: line, reason: "STAR-1 record \(index) is not the one labelled (question fingerprint differs) — pass the original STAR-1.json as --input")
                }
                items.append(GoldItem(name: "star1#\(index)", group: obj["group"]?.stringValue ?? "star1", question: r.question, response: r.response,
                                      unsafe: r.unsafe, summaryEndIdx: s, nextSentenceEndIdx: e))
            case "inline":
                let name = obj["id"]?.stringValue ?? "line \(line)"
                switch RecordReader.validate(obj, path: path, line: line, index: line - 1, options: .init()) {
                case .success(let r):
                    items.append(GoldItem(name: name, group: r.unsafe ? "inline-harmful" : "benign", question: r.question,
                                          response: r.response, unsafe: r.unsafe, summaryEndIdx: s, nextSentenceEndIdx: e))
                case .failure(let issue):
                    throw AnnotatorError.badGold(path: path, line: line, reason: issue.description)
                }
            default:
                throw AnnotatorError.badGold(path: path, line: line, reason: "\"ref\" must be \"star1\" or \"inline\"")
            }
        }
        if skippedStar > 0 {
            notes.append("\(skippedStar) STAR-1 gold rows skipped: pass --input …/STAR-1.json to score them")
        }
        return (items, notes)
    }

    /// Exact-match scores of one annotator on the gold items.
    public struct Report: Sendable {
        public struct Group: Sendable {
            public var name: String
            public var count = 0
            public var uExact = 0
            public var kExact = 0
            public var failed = 0
            public var ahaAgrees = 0
        }
        public var method: String
        public var groups: [Group]
        /// (item, predicted (s, n) or nil on failure, gold (s, n)) for every miss.
        public var misses: [(String, (Int, Int)?, (Int, Int), String)]

        public var all: Group {
            var g = Group(name: "all")
            for x in groups {
                g.count += x.count; g.uExact += x.uExact; g.kExact += x.kExact; g.failed += x.failed; g.ahaAgrees += x.ahaAgrees
            }
            return g
        }

        static func pct(_ a: Int, _ b: Int) -> String { String(format: "%.1f%%", b == 0 ? 0 : 100 * Double(a) / Double(b)) }

        /// The table `--evaluate` prints.
        public var text: String {
            var lines = ["method \(method): exact-match accuracy on the gold set",
                         "group         n     U boundary    K span        failed  K-aha flag = label"]
            func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
            for g in groups + [all] {
                lines.append(pad(g.name, 14) + pad(String(g.count), 6) + pad("\(g.uExact) (\(Self.pct(g.uExact, g.count)))", 14)
                             + pad("\(g.kExact) (\(Self.pct(g.kExact, g.count)))", 14) + pad(String(g.failed), 8)
                             + Self.pct(g.ahaAgrees, g.count))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Annotates every item and compares: U boundary exact = same `summary_end_idx`; K span exact =
    /// same `summary_end_idx` and `next_sentence_end_idx`; the K-aha flag agrees with the label
    /// when it is set exactly for harmful queries.
    public static func evaluate(_ items: [GoldItem], annotator: Annotator, concurrency: Int = 1) async -> Report {
        let results: [(Int, Result<Annotation, AnnotatorError>)] = await withTaskGroup(of: (Int, Result<Annotation, AnnotatorError>).self) { group in
            var next = 0, out: [(Int, Result<Annotation, AnnotatorError>)] = []
            func launch() {
                guard next < items.count else { return }
                let i = next, item = items[i]
                next += 1
                group.addTask {
                    do { return (i, .success(try await annotator.annotate(question: item.question, response: item.response))) }
                    catch let e as AnnotatorError { return (i, .failure(e)) }
                    catch { return (i, .failure(.transport("\(error)"))) }
                }
            }
            for _ in 0..<max(1, concurrency) { launch() }
            while let r = await group.next() { out.append(r); launch() }
            return out.sorted { $0.0 < $1.0 }
        }
        var groups: [String: Report.Group] = [:]
        var order: [String] = []
        var misses: [(String, (Int, Int)?, (Int, Int), String)] = []
        for (i, result) in results {
            let item = items[i]
            if groups[item.group] == nil { groups[item.group] = .init(name: item.group); order.append(item.group) }
            groups[item.group]!.count += 1
            let gold = (item.summaryEndIdx, item.nextSentenceEndIdx)
            switch result {
            case .success(let a):
                let u = a.summaryEndIdx == gold.0, k = u && a.nextSentenceEndIdx == gold.1
                if u { groups[item.group]!.uExact += 1 }
                if k { groups[item.group]!.kExact += 1 }
                if a.kIsSafetyAha == item.unsafe { groups[item.group]!.ahaAgrees += 1 }
                if !k { misses.append((item.name, (a.summaryEndIdx, a.nextSentenceEndIdx), gold, "")) }
            case .failure(let e):
                groups[item.group]!.failed += 1
                misses.append((item.name, nil, gold, e.description))
            }
        }
        return Report(method: annotator.picker.method, groups: order.compactMap { groups[$0] }, misses: misses)
    }
}
