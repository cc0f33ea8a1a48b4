import Foundation
import Support

/// JSON in tests, through Support's ``JSONValue`` (ordered objects, numbers as written): fixture
/// files, the JSON Lines a command prints, and model folders whose `config.json` a test edits.
///
///     let fx = try FixtureJSON.load(RepoPaths.fixture("annotator/gold.json"))
///     let rows = try FixtureJSON.lines(result.out)          // one value per non-blank line
///     try FixtureJSON.editConfig(from: src + "/config.json", to: dir + "/config.json") { $0["vocab_size"] = 2482 }
public enum FixtureJSON {
    /// The JSON document in the file at `path`; a ``JSONError`` names the file and byte offset.
    public static func load(_ path: String) throws -> JSONValue { try JSONParser.parse(file: path) }

    /// One value per non-blank line of `text`; `source` names the text in errors.
    public static func lines(_ text: String, source: String = "output") throws -> [JSONValue] {
        try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map { try JSONParser.parse(String($0), path: source) }
    }

    /// Writes the JSON object of `source` to `destination` after `edit` (keys keep their order;
    /// setting a key to nil removes it).
    public static func editConfig(from source: String, to destination: String, _ edit: (inout JSONObject) -> Void) throws {
        guard var obj = try load(source).objectValue else {
            throw JSONError(path: source, offset: 0, detail: "expected a JSON object")
        }
        edit(&obj)
        try AtomicFile.write(JSONWriter.pretty(.object(obj)), to: destination)
    }

    /// The number of ids of the committed world tokenizer (`Assets/world-base/tokenizer.json`:
    /// one more than the largest id of its vocabulary and added tokens), for test models built on
    /// it — read, not hard-coded, because the tokenizer is rebuilt when the world's lexicons change.
    public static func worldVocabularySize() throws -> Int {
        let path = RepoPaths.path("Assets/world-base/tokenizer.json")
        let tok = try load(path)
        let vocab = tok["model"]?["vocab"]?.objectValue?.entries.compactMap { $0.value.integralValue } ?? []
        let added = tok["added_tokens"]?.arrayValue?.compactMap { $0["id"]?.integralValue } ?? []
        guard let top = (vocab + added).max() else { throw JSONError(path: path, offset: 0, detail: "no token ids in model.vocab") }
        return top + 1
    }
}

extension JSONValue {
    /// The integers of an array of integral numbers (`[1, 2.0]` → `[1, 2]`); nil for anything else.
    public var intArray: [Int]? {
        guard let a = arrayValue else { return nil }
        let ints = a.compactMap(\.integralValue)
        return ints.count == a.count ? ints : nil
    }

    /// The strings of an array of strings; nil for anything else.
    public var stringArray: [String]? {
        guard let a = arrayValue else { return nil }
        let ss = a.compactMap(\.stringValue)
        return ss.count == a.count ? ss : nil
    }

    /// The numbers of an array of numbers as doubles; nil for anything else.
    public var doubleArray: [Double]? {
        guard let a = arrayValue else { return nil }
        let ds = a.compactMap(\.doubleValue)
        return ds.count == a.count ? ds : nil
    }
}
