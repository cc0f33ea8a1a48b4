import Support

/// An open-addressing hash table from byte sequences to a range of `Int32` values, with keys and
/// values in flat arenas so that lookups allocate nothing. Used for the BPE word cache (word bytes
/// → token ids) and for whole-word vocabulary lookups (`ignore_merges`).
struct ByteSequenceTable {
    private struct Slot {
        var hash: UInt64 = 0
        var keyStart: Int32 = -1  // -1: empty
        var keyCount: Int32 = 0
        var valueStart: Int32 = 0
        var valueCount: Int32 = 0
    }

    private var slots: [Slot]
    private var keys: [UInt8] = []
    private(set) var values: [Int32] = []
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    /// FNV-1a followed by a 64-bit finaliser (keys are short; this is cheaper than SipHash).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = FNV1a.hash64(bytes)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }

    /// The values stored for `key` as a range into `values`, or nil.
    func lookup(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Range<Int>? {
        return slots.withUnsafeBufferPointer { sp -> Range<Int>? in
            keys.withUnsafeBufferPointer { kp -> Range<Int>? in
                var i = Int(truncatingIfNeeded: h) & mask
                while true {
                    let slot = sp[i]
                    if slot.keyStart < 0 { return nil }
                    if slot.hash == h && Int(slot.keyCount) == key.count {
                        let start = Int(slot.keyStart)
                        var equal = true
                        for k in 0..<key.count where kp[start + k] != key[k] { equal = false; break }
                        if equal { return Int(slot.valueStart)..<Int(slot.valueStart + slot.valueCount) }
                    }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// Inserts `key` → `newValues` (the key must be absent).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, values newValues: UnsafeBufferPointer<Int32>) {
        if (count + 1) * 2 > slots.count { grow() }
        let slot = Slot(hash: h, keyStart: Int32(keys.count), keyCount: Int32(key.count),
                        valueStart: Int32(values.count), valueCount: Int32(newValues.count))
        keys.append(contentsOf: key)
        values.append(contentsOf: newValues)
        place(slot)
        count += 1
    }

    mutating func removeAll() {
        for i in slots.indices { slots[i] = Slot() }
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        count = 0
    }

    private mutating func place(_ slot: Slot) {
        var i = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[i].keyStart >= 0 { i = (i + 1) & mask }
        slots[i] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.keyStart >= 0 { place(slot) }
    }
}
