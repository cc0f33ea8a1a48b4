import Foundation
import Support

/// A Hugging Face byte-level BPE tokenizer loaded from `tokenizer.json` (+ `tokenizer_config.json`,
/// `chat_template.jinja`), reproducing HF tokenizers' ids, offsets and decoded text exactly for
/// the GPT-2, Llama 3, Qwen2/2.5 and DeepSeek-R1-Distill families.
///
/// Pipeline (HF `TokenizerImpl::encode_single_sequence`): added tokens are found in the raw text;
/// the text between them is normalized (NFC), pre-tokenized (`Split` regex, `ByteLevel`), and
/// each piece's UTF-8 bytes are merged by `BPEModel`; then the post-processor adds BOS etc.
///
///     let tok = try Tokenizer(path: "/models/DeepSeek-R1-Distill-Qwen-7B")
///     let enc = try tok.encodeWithOffsets("Hello world")   // ids [9707, 1879], offsets [(0,5), (5,11)]
///     tok.decode(enc.ids)                                   // "Hello world"
///
/// A `Tokenizer` is immutable apart from an internal word cache guarded by a lock: it can be
/// shared across threads.
public final class Tokenizer {
    /// Number of ids: model vocabulary plus added tokens (HF `get_vocab_size(with_added_tokens=True)`).
    public let vocabularySize: Int
    public let bosToken: String?
    public let eosToken: String?
    public let padToken: String?
    public let unkToken: String?
    /// The chat template source (`chat_template.jinja`, else `tokenizer_config.json`'s `chat_template`).
    public let chatTemplate: String?
    /// Where the tokenizer was loaded from (for messages).
    public let source: String
    /// The added tokens, in file order.
    public let addedTokens: [AddedToken]

    let model: BPEModel
    let normalizer: Normalizer
    let preTokenizer: PreTokenizer
    let postProcessor: PostProcessor
    let decoder: TokenDecoder
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    /// Token string of every id ("" where no token has that id).
    let idToToken: [String]
    /// Bytes each id decodes to, as ranges into `decodeBytes`.
    private let decodeBytes: [UInt8]
    private let decodeStart: [Int32]
    /// Byte length of each model token (offsets walk), 0 for added tokens.
    private let byteLength: [Int32]
    let isSpecial: [Bool]
    private let addedIds: [String: Int]

    public var bosTokenId: Int? { bosToken.flatMap { tokenId($0) } }
    public var eosTokenId: Int? { eosToken.flatMap { tokenId($0) } }
    public var padTokenId: Int? { padToken.flatMap { tokenId($0) } }

    /// Loads from a model folder (holding `tokenizer.json`, optionally `tokenizer_config.json` and
    /// `chat_template.jinja`), from a `tokenizer.json` file path (its folder is searched for the
    /// others), or from a `.gguf` file (its tokenizer metadata; see `init(gguf:)`).
    public convenience init(path: String) throws {
        if Tokenizer.isGGUFPath(path) {
            try self.init(gguf: GGUFMetadata(path: path))
            return
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TokenizerError.unreadableFile(path: path, reason: "no such file or folder")
        }
        let folder = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        let jsonPath = isDir.boolValue ? (path as NSString).appendingPathComponent("tokenizer.json") : path
        guard FileManager.default.fileExists(atPath: jsonPath) else {
            throw TokenizerError.unreadableFile(path: jsonPath, reason: "no tokenizer.json in this folder")
        }
        let spec = try readJSONObject(jsonPath)
        let configPath = (folder as NSString).appendingPathComponent("tokenizer_config.json")
        let config = FileManager.default.fileExists(atPath: configPath) ? try readJSONObject(configPath) : nil
        let jinjaPath = (folder as NSString).appendingPathComponent("chat_template.jinja")
        let jinja = try Self.readChatTemplateFile(jinjaPath)
        try self.init(spec: spec, config: config, chatTemplateFile: jinja, source: jsonPath)
    }

    /// Builds from parsed `tokenizer.json` and `tokenizer_config.json` objects (Support's ordered
    /// JSON; a literal such as `["model": ["type": "BPE", "vocab": ["a": 0], "merges": []]]` works).
    public init(spec: JSONObject, config: JSONObject? = nil, chatTemplateFile: String? = nil,
                source: String = "tokenizer.json") throws {
        self.source = source
        guard let modelSpec = spec["model"]?.objectValue else {
            throw TokenizerError.malformedConfig(file: source, key: "model", reason: "missing or not an object")
        }
        let model = try BPEModel(spec: modelSpec, file: source)
        self.model = model
        normalizer = try Normalizer.from(spec["normalizer"], file: source)
        preTokenizer = try PreTokenizer.from(spec["pre_tokenizer"], file: source)
        postProcessor = try PostProcessor.from(spec["post_processor"], file: source)
        decoder = try TokenDecoder.from(spec["decoder"], file: source)

        var added = [AddedToken]()
        let addedSpec: [JSONValue]
        switch spec["added_tokens"] {
        case nil, .null?: addedSpec = []
        case let .array(list)?: addedSpec = list
        default: throw TokenizerError.malformedConfig(file: source, key: "added_tokens", reason: "expected a list of token objects")
        }
        for (k, entry) in addedSpec.enumerated() {
            guard let id = entry["id"]?.intValue, let content = entry["content"]?.stringValue else {
                throw TokenizerError.malformedConfig(file: source, key: "added_tokens[\(k)]", reason: "needs 'id' and 'content'")
            }
            guard (0..<BPEModel.maxTokenId).contains(id) else {
                throw TokenizerError.malformedConfig(file: source, key: "added_tokens[\(k)].id", reason: "\(id) is not in 0..<\(BPEModel.maxTokenId)")
            }
            func flag(_ key: String) -> Bool { entry[key]?.boolValue ?? false }
            added.append(AddedToken(id: id, content: content, special: flag("special"), singleWord: flag("single_word"),
                                    lstrip: flag("lstrip"), rstrip: flag("rstrip"), normalized: flag("normalized")))
        }
        addedTokens = added
        rawMatcher = AddedTokenMatcher(added.filter { !$0.normalized })
        normalizedMatcher = AddedTokenMatcher(added.filter { $0.normalized })

        var maxId = model.vocab.values.max() ?? -1
        for t in added { maxId = max(maxId, t.id) }
        var names = [String](repeating: "", count: maxId + 1)
        var lengths = [Int32](repeating: 0, count: maxId + 1)
        for (token, id) in model.vocab {
            names[id] = token
            lengths[id] = Int32(token.unicodeScalars.count)
        }
        var special = [Bool](repeating: false, count: maxId + 1)
        var addedIds = [String: Int]()
        for t in added {
            names[t.id] = t.content
            lengths[t.id] = 0
            special[t.id] = t.special
            addedIds[t.content] = t.id
        }
        // HF counts model ids plus added tokens that are not model tokens.
        vocabularySize = model.vocab.count + added.filter { model.vocab[$0.content] != $0.id }.count
        idToToken = names
        byteLength = lengths
        isSpecial = special
        self.addedIds = addedIds
        var bytes = [UInt8](), starts = [Int32]()
        starts.reserveCapacity(names.count + 1)
        for name in names {
            starts.append(Int32(bytes.count))
            if let b = ByteLevel.bytes(ofTokenString: name) { bytes += b } else { bytes += Array(name.utf8) }
        }
        starts.append(Int32(bytes.count))
        decodeBytes = bytes
        decodeStart = starts

        bosToken = Tokenizer.tokenName(config, "bos_token")
        eosToken = Tokenizer.tokenName(config, "eos_token")
        padToken = Tokenizer.tokenName(config, "pad_token")
        unkToken = Tokenizer.tokenName(config, "unk_token")
        if let file = chatTemplateFile {
            chatTemplate = file
        } else if let s = config?["chat_template"]?.stringValue {
            chatTemplate = s
        } else if let list = config?["chat_template"]?.arrayValue {
            chatTemplate = (list.first { $0["name"]?.stringValue == "default" } ?? list.first)?["template"]?.stringValue
        } else {
            chatTemplate = nil
        }
    }

    /// A special-token entry of `tokenizer_config.json`: a string or an `AddedToken` object.
    private static func tokenName(_ config: JSONObject?, _ key: String) -> String? {
        config?[key]?.stringValue ?? config?[key]?["content"]?.stringValue
    }

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func tokenId(_ token: String) -> Int? {
        addedIds[token] ?? model.vocab[token]
    }

    /// The token string of an id (byte-level form for model tokens, e.g. "Ġworld"), or nil.
    public func token(forId id: Int) -> String? {
        guard id >= 0 && id < idToToken.count, !idToToken[id].isEmpty else { return nil }
        return idToToken[id]
    }

    /// Whether `id` is an added token marked `special` (skipped by `skipSpecialTokens`).
    public func isSpecialToken(_ id: Int) -> Bool { id >= 0 && id < isSpecial.count && isSpecial[id] }

    // MARK: Encoding

    /// Token ids of `text` (HF `tokenizer.encode(text, add_special_tokens=...).ids`).
    public func encode(_ text: String, addSpecialTokens: Bool = false) throws -> [Int] {
        try encodeWithOffsets(text, addSpecialTokens: addSpecialTokens).ids
    }

    /// Token ids of UTF-8 bytes; throws `TokenizerError.invalidUTF8` naming the first bad byte.
    public func encode(utf8 bytes: [UInt8], addSpecialTokens: Bool = false) throws -> [Int] {
        try encode(try Tokenizer.validatedString(utf8: bytes), addSpecialTokens: addSpecialTokens)
    }

    /// Decodes UTF-8 strictly: the text, or `TokenizerError.invalidUTF8` with the first bad byte's offset.
    /// The text of a `chat_template.jinja`, nil when there is none. A file that is not valid UTF-8
    /// (or not a regular file) is an error, not silently skipped: the model would otherwise be
    /// rendered with a different template than its authors shipped.
    public static func readChatTemplateFile(_ path: String) throws -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard !isDir.boolValue, (attributes?[.type] as? FileAttributeType) == .typeRegular else {
            throw TokenizerError.unreadableFile(path: path, reason: "not a regular file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError.unreadableFile(path: path, reason: "cannot be read")
        }
        do {
            return try validatedString(utf8: Array(data))
        } catch TokenizerError.invalidUTF8(let offset) {
            throw TokenizerError.unreadableFile(path: path, reason: "not valid UTF-8 (first bad byte at offset \(offset)); save the chat template as UTF-8")
        }
    }

    public static func validatedString(utf8 bytes: [UInt8]) throws -> String {
        var view = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            var length = 0
            if b0 < 0x80 { length = 1 } else if b0 >= 0xC2 && b0 <= 0xDF { length = 2 } else if b0 >= 0xE0 && b0 <= 0xEF { length = 3 } else if b0 >= 0xF0 && b0 <= 0xF4 { length = 4 } else { throw TokenizerError.invalidUTF8(byteOffset: index) }
            guard index + length <= bytes.count else { throw TokenizerError.invalidUTF8(byteOffset: index) }
            var value = UInt32(length == 1 ? b0 : (length == 2 ? b0 & 0x1F : (length == 3 ? b0 & 0x0F : b0 & 0x07)))
            for k in 1..<max(length, 1) {
                let b = bytes[index + k]
                let allowed = k == 1 ? utf8SecondByteRange(lead: b0) : 0x80...0xBF
                guard allowed.contains(b) else { throw TokenizerError.invalidUTF8(byteOffset: index + k) }
                value = (value << 6) | UInt32(b & 0x3F)
            }
            guard let scalar = Unicode.Scalar(value) else { throw TokenizerError.invalidUTF8(byteOffset: index) }
            view.append(scalar)
            index += length
        }
        return String(view)
    }

    /// Ids with `[start, end)` offsets in Unicode scalars of `text` (HF `Encoding.ids` / `.offsets`).
    public func encodeWithOffsets(_ text: String, addSpecialTokens: Bool = false) throws -> Encoding {
        let scalars = text.unicodeScalars.map { $0.value }
        var ids = [Int32]()
        var offsets = [(start: Int, end: Int)]()
        ids.reserveCapacity(scalars.count / 3 + 4)
        offsets.reserveCapacity(scalars.count / 3 + 4)
        var work = Workspace()
        scalars.withUnsafeBufferPointer { s in
            var cursor = 0
            for m in rawMatcher.matches(s, 0, s.count) {
                if cursor < m.range.lowerBound {
                    encodeSegment(s, cursor, m.range.lowerBound, &ids, &offsets, &work)
                }
                ids.append(Int32(rawMatcher.tokens[m.token].id))
                offsets.append((m.content.lowerBound, m.content.upperBound))
                cursor = m.range.upperBound
            }
            if cursor < s.count { encodeSegment(s, cursor, s.count, &ids, &offsets, &work) }
        }
        postProcessor.process(ids: &ids, offsets: &offsets, addSpecialTokens: addSpecialTokens) { [idToToken] id in
            Int(id) < idToToken.count ? idToToken[Int(id)] : ""
        }
        return Encoding(ids: ids.map { Int($0) }, offsets: offsets)
    }

    /// Reused buffers for one encode call.
    struct Workspace {
        var pieces = [Piece]()
        var ranges = [Range<Int>]()
        var bytes = [UInt8]()
        var byteScalar = [Int32]()
        var pieceIds = [Int32]()
    }

    /// Text between added tokens: normalize, then (after normalized added tokens) pre-tokenize and BPE.
    private func encodeSegment(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int,
                               _ ids: inout [Int32], _ offsets: inout [(start: Int, end: Int)], _ work: inout Workspace) {
        if let (norm, align) = normalizer.normalize(s, start, end) {
            norm.withUnsafeBufferPointer { ns in
                align.withUnsafeBufferPointer { al in
                    encodeNormalized(ns, 0, ns.count, al, &ids, &offsets, &work)
                }
            }
        } else {
            encodeNormalized(s, start, end, nil, &ids, &offsets, &work)
        }
    }

    private func encodeNormalized(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int,
                                  _ align: UnsafeBufferPointer<Int32>?,
                                  _ ids: inout [Int32], _ offsets: inout [(start: Int, end: Int)], _ work: inout Workspace) {
        @inline(__always) func original(_ i: Int) -> Int { align.map { Int($0[i]) } ?? i }
        var cursor = start
        let found = normalizedMatcher.isEmpty ? [] : normalizedMatcher.matches(s, start, end)
        for m in found {
            if cursor < m.range.lowerBound { encodePieces(s, cursor, m.range.lowerBound, align, &ids, &offsets, &work) }
            ids.append(Int32(normalizedMatcher.tokens[m.token].id))
            offsets.append((original(m.content.lowerBound), original(m.content.upperBound - 1) + 1))
            cursor = m.range.upperBound
        }
        if cursor < end { encodePieces(s, cursor, end, align, &ids, &offsets, &work) }
    }

    private func encodePieces(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int,
                              _ align: UnsafeBufferPointer<Int32>?,
                              _ ids: inout [Int32], _ offsets: inout [(start: Int, end: Int)], _ work: inout Workspace) {
        work.pieces.removeAll(keepingCapacity: true)
        work.pieces.append(Piece(start: start, end: end, prefixSpace: false))
        preTokenizer.apply(s, &work.pieces, &work.ranges)
        for piece in work.pieces {
            work.bytes.removeAll(keepingCapacity: true)
            work.byteScalar.removeAll(keepingCapacity: true)
            if piece.prefixSpace {
                work.bytes.append(0x20)
                work.byteScalar.append(Int32(piece.start))
            }
            for i in piece.start..<piece.end {
                let v = s[i]
                let k = Int32(i)
                if v < 0x80 {
                    work.bytes.append(UInt8(v)); work.byteScalar.append(k)
                } else if v < 0x800 {
                    work.bytes.append(UInt8(0xC0 | (v >> 6))); work.bytes.append(UInt8(0x80 | (v & 0x3F)))
                    work.byteScalar.append(k); work.byteScalar.append(k)
                } else if v < 0x10000 {
                    work.bytes.append(UInt8(0xE0 | (v >> 12))); work.bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                    work.bytes.append(UInt8(0x80 | (v & 0x3F)))
                    work.byteScalar.append(k); work.byteScalar.append(k); work.byteScalar.append(k)
                } else {
                    work.bytes.append(UInt8(0xF0 | (v >> 18))); work.bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
                    work.bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F))); work.bytes.append(UInt8(0x80 | (v & 0x3F)))
                    work.byteScalar.append(k); work.byteScalar.append(k); work.byteScalar.append(k); work.byteScalar.append(k)
                }
            }
            if !model.hasAllBytes { dropBytesWithoutToken(&work) }
            guard !work.bytes.isEmpty else { continue }
            work.pieceIds.removeAll(keepingCapacity: true)
            work.bytes.withUnsafeBufferPointer { model.tokenize($0, into: &work.pieceIds) }
            var b = 0
            for id in work.pieceIds {
                let len = Int(byteLength[Int(id)])
                let first = Int(work.byteScalar[b]), last = Int(work.byteScalar[b + len - 1])
                if let al = align {
                    offsets.append((Int(al[first]), Int(al[last]) + 1))
                } else {
                    offsets.append((first, last + 1))
                }
                ids.append(id)
                b += len
            }
        }
    }

    /// Removes bytes the vocabulary has no token for (HF BPE skips a symbol missing from the
    /// vocabulary when there is no unk token), keeping `byteScalar` aligned.
    private func dropBytesWithoutToken(_ work: inout Workspace) {
        var kept = 0
        for k in 0..<work.bytes.count where model.byteToId[Int(work.bytes[k])] >= 0 {
            work.bytes[kept] = work.bytes[k]
            work.byteScalar[kept] = work.byteScalar[k]
            kept += 1
        }
        work.bytes.removeLast(work.bytes.count - kept)
        work.byteScalar.removeLast(work.byteScalar.count - kept)
    }

    // MARK: Decoding

    /// Text of `ids` (HF `tokenizer.decode(ids, skip_special_tokens=...)`); unknown ids are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        if case .joinWithSpaces = decoder {
            return ids.compactMap { id -> String? in
                guard let t = token(forId: id), !(skipSpecialTokens && isSpecialToken(id)) else { return nil }
                return t
            }.joined(separator: " ")
        }
        var bytes = [UInt8]()
        for id in ids { appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &bytes) }
        return decodeUTF8Lossy(bytes)
    }

    /// An incremental decoder for streaming output.
    public func streamingDecoder(skipSpecialTokens: Bool = false) -> StreamingDecoder {
        StreamingDecoder(tokenizer: self, skipSpecialTokens: skipSpecialTokens)
    }

    func appendBytes(of id: Int, skipSpecialTokens: Bool, to bytes: inout [UInt8]) {
        guard id >= 0 && id < idToToken.count, !idToToken[id].isEmpty else { return }
        if skipSpecialTokens && isSpecial[id] { return }
        bytes.append(contentsOf: decodeBytes[Int(decodeStart[id])..<Int(decodeStart[id + 1])])
    }
}
