import Foundation
import Support

/// Byte-level BPE (HF tokenizers `models::bpe`): a word's bytes start as single-byte tokens and the
/// adjacent pair with the lowest merge rank is merged until none is left; ties break on the leftmost
/// pair, matching HF's priority queue of `(rank, position)`. With `ignore_merges` a word that is
/// itself in the vocabulary is emitted whole (Llama 3).
///
/// Words up to `linearLimit` bytes merge with a linear scan over cached pair ranks; longer ones use a
/// binary heap over a linked list of symbols (HF's algorithm), so pathological inputs stay O(n log n).
/// Results are cached per word (bounded, guarded by a lock so a `Tokenizer` can be shared by threads).
final class BPEModel {
    /// `tokenString[id]` for model tokens (0..<vocab count); added tokens live in `Tokenizer`.
    let vocab: [String: Int]
    /// Token id of each single byte (−1 for a byte the vocabulary lacks).
    let byteToId: [Int32]
    /// Whether every byte has a token (else such bytes are dropped before merging, as HF does).
    let hasAllBytes: Bool
    /// `(left << 32) | right` → `(rank << 32) | merged id`.
    private let merges: [UInt64: UInt64]
    private let ignoreMerges: Bool
    private let wholeWords: ByteSequenceTable?
    private var cache = ByteSequenceTable(capacity: 1 << 14)
    private let cacheLimit = 1 << 17
    private let lock = NSLock()
    static let linearLimit = 128
    /// Ids above this are rejected as corrupt (tables are sized by the largest id).
    static let maxTokenId = 1 << 24

    /// The merges as "a b" strings in rank order (for writing them back, e.g. to GGUF).
    func mergeList() -> [String] {
        var names = [String](repeating: "", count: (vocab.values.max() ?? -1) + 1)
        for (token, id) in vocab { names[id] = token }
        return merges.sorted { $0.value >> 32 < $1.value >> 32 }.map { key, _ in
            names[Int(key >> 32)] + " " + names[Int(key & 0xFFFF_FFFF)]
        }
    }

    init(spec: JSONObject, file: String) throws {
        let type = spec["type"]?.stringValue ?? "BPE"
        guard type == "BPE" else {
            throw TokenizerError.unsupported(file: file, key: "model.type", value: type)
        }
        guard let vocab = spec["vocab"]?.objectValue else {
            throw TokenizerError.malformedConfig(file: file, key: "model.vocab", reason: "missing or not an object")
        }
        if let prefix = spec["continuing_subword_prefix"]?.stringValue, !prefix.isEmpty {
            throw TokenizerError.unsupported(file: file, key: "model.continuing_subword_prefix", value: "\"\(prefix)\"")
        }
        if let suffix = spec["end_of_word_suffix"]?.stringValue, !suffix.isEmpty {
            throw TokenizerError.unsupported(file: file, key: "model.end_of_word_suffix", value: "\"\(suffix)\"")
        }
        if spec["byte_fallback"]?.boolValue == true {
            throw TokenizerError.unsupported(file: file, key: "model.byte_fallback", value: "true")
        }
        var ids = [String: Int](minimumCapacity: vocab.count)
        for (token, value) in vocab.entries {
            guard let id = value.intValue, (0..<BPEModel.maxTokenId).contains(id) else {
                throw TokenizerError.malformedConfig(file: file, key: "model.vocab.\(token)", reason: "id is not an integer in 0..<\(BPEModel.maxTokenId)")
            }
            ids[token] = id
        }
        self.vocab = ids
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let s = String(Character(Unicode.Scalar(ByteLevel.scalarForByte[b])!))
            if let id = ids[s] { byteIds[b] = Int32(id) }
        }
        // A vocabulary may lack a few byte tokens (SmolLM2 has none for some control bytes); HF's
        // BPE then drops those bytes (no unk token), which `Tokenizer` mirrors via `hasAllBytes`.
        let missing = byteIds.indices.filter { byteIds[$0] < 0 }
        if missing.count > 128 {
            throw TokenizerError.unsupported(file: file, key: "model.vocab",
                                             value: "no token for \(missing.count) of the 256 bytes, e.g. byte \(missing[0]) (not a byte-level BPE vocabulary)")
        }
        hasAllBytes = missing.isEmpty
        byteToId = byteIds
        let rawMerges: [JSONValue]
        switch spec["merges"] {
        case nil, .null?: rawMerges = []
        case let .array(list)?: rawMerges = list
        default: throw TokenizerError.malformedConfig(file: file, key: "model.merges", reason: "expected a list of merges")
        }
        var table = [UInt64: UInt64](minimumCapacity: rawMerges.count)
        for (rank, entry) in rawMerges.enumerated() {
            let a: String, b: String
            if let s = entry.stringValue {
                let parts = s.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw TokenizerError.malformedConfig(file: file, key: "model.merges[\(rank)]", reason: "'\(s)' is not 'a b'")
                }
                a = String(parts[0]); b = String(parts[1])
            } else if let pair = entry.arrayValue?.compactMap(\.stringValue), pair.count == 2 {
                a = pair[0]; b = pair[1]
            } else {
                throw TokenizerError.malformedConfig(file: file, key: "model.merges[\(rank)]", reason: "expected \"a b\" or [a, b]")
            }
            guard let ia = ids[a], let ib = ids[b], let merged = ids[a + b] else {
                throw TokenizerError.malformedConfig(file: file, key: "model.merges[\(rank)]",
                                                     reason: "'\(a)' '\(b)' or their merge is not in the vocabulary")
            }
            let key = (UInt64(ia) << 32) | UInt64(ib)
            if table[key] == nil { table[key] = (UInt64(rank) << 32) | UInt64(merged) }
        }
        merges = table
        ignoreMerges = spec["ignore_merges"]?.boolValue ?? false
        if ignoreMerges {
            var whole = ByteSequenceTable(capacity: ids.count)
            for (token, id) in ids {
                guard let bytes = ByteLevel.bytes(ofTokenString: token) else { continue }
                var value = Int32(id)
                bytes.withUnsafeBufferPointer { bp in
                    withUnsafePointer(to: &value) { vp in
                        let h = ByteSequenceTable.hash(bp)
                        if whole.lookup(bp, hash: h) == nil {
                            whole.insert(bp, hash: h, values: UnsafeBufferPointer(start: vp, count: 1))
                        }
                    }
                }
            }
            wholeWords = whole
        } else {
            wholeWords = nil
        }
    }

    /// Appends the token ids of one pre-tokenized word (its bytes) to `out`.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        guard !word.isEmpty else { return }
        if word.count == 1 { out.append(byteToId[Int(word[0])]); return }
        let h = ByteSequenceTable.hash(word)
        if let whole = wholeWords, let r = whole.lookup(word, hash: h) {
            out.append(whole.values[r.lowerBound])
            return
        }
        lock.lock()
        if let r = cache.lookup(word, hash: h) {
            out.append(contentsOf: cache.values[r])
            lock.unlock()
            return
        }
        lock.unlock()
        let start = out.count
        if word.count <= Self.linearLimit {
            mergeLinear(word, &out)
        } else {
            mergeHeap(word, &out)
        }
        lock.lock()
        if cache.count >= cacheLimit { cache.removeAll() }
        if cache.lookup(word, hash: h) == nil {
            out.withUnsafeBufferPointer { op in
                cache.insert(word, hash: h, values: UnsafeBufferPointer(rebasing: op[start...]))
            }
        }
        lock.unlock()
    }

    @inline(__always)
    private func pair(_ a: Int32, _ b: Int32) -> UInt64? {
        merges[(UInt64(UInt32(a)) << 32) | UInt64(UInt32(b))]
    }

    /// Linear scan: `ranks[p]` caches the merge of symbols p and p+1 (UInt64.max when none).
    private func mergeLinear(_ word: UnsafeBufferPointer<UInt8>, _ out: inout [Int32]) {
        var n = word.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { sym in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { ranks in
                for i in 0..<n { sym[i] = byteToId[Int(word[i])] }
                for i in 0..<(n - 1) { ranks[i] = pair(sym[i], sym[i + 1]) ?? UInt64.max }
                while n > 1 {
                    var best = UInt64.max, pos = -1
                    for i in 0..<(n - 1) where ranks[i] < best { best = ranks[i]; pos = i }
                    if pos < 0 { break }
                    sym[pos] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
                    // Remove symbol pos+1 and pair slot pos+1 by shifting left.
                    var k = pos + 1
                    while k < n - 1 { sym[k] = sym[k + 1]; ranks[k] = ranks[k + 1]; k += 1 }
                    n -= 1
                    if pos > 0 { ranks[pos - 1] = pair(sym[pos - 1], sym[pos]) ?? UInt64.max }
                    if pos < n - 1 { ranks[pos] = pair(sym[pos], sym[pos + 1]) ?? UInt64.max }
                }
                for i in 0..<n { out.append(sym[i]) }
            }
        }
    }

    /// HF's algorithm: a min-heap of `(rank << 32) | position` over a doubly linked list of symbols,
    /// entries checked for staleness when popped.
    private func mergeHeap(_ word: UnsafeBufferPointer<UInt8>, _ out: inout [Int32]) {
        let n = word.count
        var sym = word.map { byteToId[Int($0)] }
        var next = (0..<n).map { $0 + 1 == n ? -1 : $0 + 1 }
        var prev = (0..<n).map { $0 - 1 }
        var alive = [Bool](repeating: true, count: n)
        var heap = [UInt64]()
        heap.reserveCapacity(n)
        func push(_ v: UInt64) {
            heap.append(v)
            var i = heap.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if heap[p] <= heap[i] { break }
                heap.swapAt(p, i); i = p
            }
        }
        func pop() -> UInt64 {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && heap[l] < heap[m] { m = l }
                    if r < heap.count && heap[r] < heap[m] { m = r }
                    if m == i { break }
                    heap.swapAt(m, i); i = m
                }
            }
            return top
        }
        for i in 0..<(n - 1) {
            if let v = pair(sym[i], sym[i + 1]) { push((v & ~0xFFFF_FFFF) | UInt64(i)) }
        }
        while !heap.isEmpty {
            let top = pop()
            let pos = Int(top & 0xFFFF_FFFF), rank = top >> 32
            guard alive[pos], next[pos] >= 0 else { continue }
            let nx = next[pos]
            guard let v = pair(sym[pos], sym[nx]), v >> 32 == rank else { continue }
            sym[pos] = Int32(truncatingIfNeeded: v & 0xFFFF_FFFF)
            alive[nx] = false
            next[pos] = next[nx]
            if next[nx] >= 0 { prev[next[nx]] = pos }
            if prev[pos] >= 0, let pv = pair(sym[prev[pos]], sym[pos]) {
                push((pv & ~0xFFFF_FFFF) | UInt64(prev[pos]))
            }
            if next[pos] >= 0, let nv = pair(sym[pos], sym[next[pos]]) {
                push((nv & ~0xFFFF_FFFF) | UInt64(pos))
            }
        }
        var i = 0
        while i >= 0 { out.append(sym[i]); i = next[i] }
    }
}
