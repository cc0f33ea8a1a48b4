import Support
import Foundation

/// The generation output layout of the reference implementation (`gen.py`), shared by
/// `safekey generate` (writer) and `safekey eval` / `safekey report` (readers):
///
/// ```json
/// {"meta_info": {"data": "strongreject", "model": "...", ...},
///  "data": [{"instruction": "...", "prompt": "...", "response": ["..."], "refusal_label": [...]}]}
/// ```
///
/// `response` holds one string per sample. Judges add `<judge>_label` lists (one value per
/// response; `<part>_<judge>_label` when judging `answer` or `think`), as the reference's `eval.py`
/// does. Keys other than `instruction`, `prompt` and `response` are kept in ``GenerationRecord/fields``
/// and written back unchanged. Extra keys SafetyEval writes: `id`, `category` (list), `label`,
/// `prefill` (the text pre-filled into the response), `conversation` (multi-turn history used),
/// `generation_error` (why an item has no responses: it failed, e.g. a server's 500s after every
/// retry; `safekey generate` exits 3 and a rerun retries it).
public struct GenerationFile: Codable, Equatable, Sendable {
    public var metaInfo: [String: EvalJSON]
    public var data: [GenerationRecord]

    enum CodingKeys: String, CodingKey {
        case metaInfo = "meta_info"
        case data
    }

    public init(metaInfo: [String: EvalJSON] = [:], data: [GenerationRecord] = []) {
        self.metaInfo = metaInfo
        self.data = data
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metaInfo = try c.decodeIfPresent([String: EvalJSON].self, forKey: .metaInfo) ?? [:]
        data = try c.decode([GenerationRecord].self, forKey: .data)
    }

    /// The benchmark name in `meta_info.data` (the reference stores its `--data` argument there).
    public var benchmarkName: String? { metaInfo[MetaKey.data]?.stringValue }
    /// The model name in `meta_info.model`.
    public var modelName: String? { metaInfo[MetaKey.model]?.stringValue }

    /// Reads a generation file; errors name the file and what is wrong.
    public static func read(_ path: String) throws -> GenerationFile {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafetyEvalError.unreadable(path: path, reason: error.localizedDescription)
        }
        if bytes.isEmpty { throw SafetyEvalError.emptyFile(path: path, detail: "no JSON content") }
        do { return try JSONDecoder().decode(GenerationFile.self, from: bytes) } catch let DecodingError.keyNotFound(key, ctx) {
            throw SafetyEvalError.badJSON(path: path, location: location(ctx.codingPath), detail: "missing key '\(key.stringValue)' (expected {\"meta_info\": {...}, \"data\": [{\"instruction\", \"prompt\", \"response\": [...]}]})")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SafetyEvalError.badJSON(path: path, location: location(ctx.codingPath), detail: ctx.debugDescription)
        } catch {
            throw SafetyEvalError.badJSON(path: path, location: "", detail: "not a generation file (\(error))")
        }
    }

    /// Writes the file atomically (temporary file + rename).
    public func write(to path: String) throws {
        let data: Data
        do { data = try AtomicFile.encoder().encode(self) } catch {
            throw SafetyEvalError.writeFailed(path: path, reason: "encoding failed: \(error)")
        }
        try AtomicFile.write(data, to: path)
    }

    private static func location(_ path: [CodingKey]) -> String {
        path.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
    }
}

/// Well-known `meta_info` keys.
public enum MetaKey {
    public static let data = "data"
    public static let model = "model"
    public static let dataPath = "data_path"
    public static let formatVersion = "safekey_format"
}

/// One item of a generation file.
public struct GenerationRecord: Codable, Equatable, Sendable {
    public var instruction: String
    public var prompt: String
    public var response: [String]
    /// All other keys (labels, id, category, ...), written back unchanged.
    public var fields: [String: EvalJSON]

    public init(instruction: String, prompt: String, response: [String], fields: [String: EvalJSON] = [:]) {
        self.instruction = instruction
        self.prompt = prompt
        self.response = response
        self.fields = fields
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        instruction = try c.decode(String.self, forKey: Key("instruction"))
        prompt = try c.decodeIfPresent(String.self, forKey: Key("prompt")) ?? ""
        // The reference always writes a list; accept a bare string too.
        if let list = try? c.decode([String].self, forKey: Key("response")) {
            response = list
        } else {
            response = [try c.decode(String.self, forKey: Key("response"))]
        }
        var f: [String: EvalJSON] = [:]
        for k in c.allKeys where !["instruction", "prompt", "response"].contains(k.stringValue) {
            f[k.stringValue] = try c.decode(EvalJSON.self, forKey: k)
        }
        fields = f
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(instruction, forKey: Key("instruction"))
        try c.encode(prompt, forKey: Key("prompt"))
        try c.encode(response, forKey: Key("response"))
        for (k, v) in fields { try c.encode(v, forKey: Key(k)) }
    }

    /// The field of an item whose generation failed (its `response` is then empty).
    public static let errorKey = "generation_error"

    /// Why this item's generation failed, or nil.
    public var generationError: String? { fields[Self.errorKey]?.stringValue }

    /// Categories stored under `category` (a list or a single string).
    public var categories: [String] { fields["category"]?.stringList ?? [] }
}
