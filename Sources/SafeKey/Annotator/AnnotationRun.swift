import Foundation
import Support

/// `safekey annotate`'s engine: annotates records with bounded concurrency, journals each result
/// as it lands (`<output>.partial`), skips records already in the output or the journal (resume),
/// and finally writes the whole output atomically (temporary file + rename), in input order.
///
/// Output rows: the input record's own keys, plus `summary_end_idx`, `next_sentence_end_idx` and
/// `annotation` (``Annotation/json`` + `input_index`). Records that cannot be annotated are
/// reported through `onFailure` and left out.
public struct AnnotationRun {
    public var annotator: Annotator
    /// Records annotated at once (the API method's concurrency; 1 is fine for rules).
    public var concurrency: Int
    public init(annotator: Annotator, concurrency: Int = 1) {
        self.annotator = annotator
        self.concurrency = max(1, concurrency)
    }

    /// What a run did.
    public struct Summary: Sendable {
        public var total = 0
        public var alreadyDone = 0
        public var annotated = 0
        public var failed: [(index: Int, reason: AnnotatorError)] = []
        public var seconds = 0.0

        /// Failures per kind, most frequent first.
        public var failuresByKind: [(String, Int)] {
            Dictionary(grouping: failed, by: { $0.reason.kind }).map { ($0.key, $0.value.count) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        }
        public var line: String {
            var s = String(format: "%d records: %d annotated, %d already in the output, %d failed (%.2f s)",
                           total, annotated, alreadyDone, failed.count, seconds)
            if !failed.isEmpty { s += " — " + failuresByKind.map { "\($0.0): \($0.1)" }.joined(separator: ", ") }
            return s
        }
    }

    /// Annotates `records` into `outputPath`. `progress(done, total)` is called after each record.
    public func run(records: [SafeKeyRecord], outputPath: String,
                    progress: @escaping (Int, Int) -> Void = { _, _ in },
                    onFailure: @escaping (SafeKeyRecord, AnnotatorError) -> Void = { _, _ in }) async throws -> Summary {
        let start = Date()
        let journalPath = outputPath + ".partial"
        // Rows already finished, by resume key: the output of an earlier run, then the journal of
        // an interrupted one.
        var byKey: [String: Data] = [:]
        for path in [outputPath, journalPath] where FileManager.default.fileExists(atPath: path) {
            for (key, _, line) in try Self.readDone(path) { byKey[key] = line }
        }
        var summary = Summary()
        summary.total = records.count
        var finished: [Int: Data] = [:]  // input index → output line
        for r in records { if let line = byKey[r.resumeKey] { finished[r.index] = line } }
        let todo = records.filter { byKey[$0.resumeKey] == nil }
        summary.alreadyDone = records.count - todo.count

        guard FileManager.default.createFile(atPath: journalPath, contents: nil) || FileManager.default.fileExists(atPath: journalPath),
              let journal = FileHandle(forUpdatingAtPath: journalPath) else {
            throw AnnotatorError.io(path: journalPath, reason: "cannot create the progress journal — check that the output folder exists and is writable")
        }
        defer { try? journal.close() }
        journal.seekToEndOfFile()

        var done = summary.alreadyDone
        progress(done, records.count)
        let annotator = self.annotator
        try await withThrowingTaskGroup(of: (SafeKeyRecord, Result<Annotation, AnnotatorError>).self) { group in
            var next = 0
            func launch() {
                guard next < todo.count else { return }
                let r = todo[next]
                next += 1
                group.addTask {
                    do { return (r, .success(try await annotator.annotate(question: r.question, response: r.response))) }
                    catch let e as AnnotatorError { return (r, .failure(e)) }
                    catch { return (r, .failure(.transport("\(error)"))) }
                }
            }
            for _ in 0..<min(concurrency, todo.count) { launch() }
            while let (r, result) = try await group.next() {
                switch result {
                case .success(let a):
                    let line = try Self.outputLine(r, a)
                    do { try journal.write(contentsOf: line) } catch {
                        throw AnnotatorError.io(path: journalPath, reason: "cannot append to the progress journal (\(error.localizedDescription)); "
                            + "free space and rerun: the records already in it are kept")
                    }
                    finished[r.index] = line
                    summary.annotated += 1
                case .failure(let e):
                    summary.failed.append((r.index, e))
                    onFailure(r, e)
                }
                done += 1
                progress(done, records.count)
                launch()
            }
        }
        // Nothing annotated and nothing to keep: leave any existing output exactly as it was.
        if finished.isEmpty && !summary.failed.isEmpty {
            try? FileManager.default.removeItem(atPath: journalPath)
            summary.seconds = Date().timeIntervalSince(start)
            return summary
        }
        // Atomic final write, in input order.
        var out = Data()
        for index in finished.keys.sorted() { if let line = finished[index] { out.append(line) } }
        do {
            try AtomicFile.write(out, to: outputPath)
            try? FileManager.default.removeItem(atPath: journalPath)
        } catch {
            throw AnnotatorError.io(path: outputPath, reason: "cannot write the output (\(error.localizedDescription)); the finished records are kept in \(journalPath) and a rerun resumes from them")
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// One output JSONL line (with its newline): the input record's keys plus `summary_end_idx`,
    /// `next_sentence_end_idx` and `annotation`, keys sorted at every depth in `JSONSerialization`'s
    /// `.sortedKeys` order (``JSONObject/foundationKeyOrder(_:_:)``), slashes unescaped — byte for byte
    /// the lines earlier releases wrote, except that input numbers keep their literal text.
    public static func outputLine(_ r: SafeKeyRecord, _ a: Annotation) throws -> Data {
        var obj = r.fields
        obj["summary_end_idx"] = .int(a.summaryEndIdx)
        obj["next_sentence_end_idx"] = .int(a.nextSentenceEndIdx)
        var ann = a.json
        ann["input_index"] = .int(r.index)
        obj["annotation"] = .object(ann)
        var data = Data(JSONWriter.compact(JSONValue.object(obj).sortingKeys()).utf8)
        data.append(0x0A)
        return data
    }

    /// Whether `path` is absent, empty, or an output (or journal) this command wrote: every
    /// complete line an annotated row. Anything else must not be replaced without `--overwrite`.
    public static func isPreviousOutput(_ path: String) throws -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return !FileManager.default.fileExists(atPath: path) }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        let complete = data.last == 0x0A ? lines.count : max(0, lines.count - 1)   // a torn last line is allowed
        return try readDone(path).count >= complete
    }

    /// (resume key, input index, line) of each complete row of an output or journal file. A torn
    /// last line (a crash mid-write) is ignored.
    static func readDone(_ path: String) throws -> [(String, Int, Data)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnnotatorError.io(path: path, reason: "cannot read it to resume — remove it or fix its permissions")
        }
        var out: [(String, Int, Data)] = []
        for raw in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let obj = try? JSONParser.parse(Data(raw), path: path), let index = obj["annotation"]?["input_index"]?.intValue,
                  let question = obj["question"]?.stringValue else { continue }
            let id: String? = obj["id"]?.stringValue ?? obj["id"]?.intValue.map { String($0) }
            let key = id.map { "id:" + $0 } ?? "q:" + ScalarText.fingerprint(question) + "#\(index)"
            var line = Data(raw)
            line.append(0x0A)
            out.append((key, index, line))
        }
        return out
    }
}
