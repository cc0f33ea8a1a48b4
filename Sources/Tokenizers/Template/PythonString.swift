/// Python `str` operations on Unicode scalars (Python indexes and compares code points; Swift's
/// `String` compares canonically equivalent text as equal, which Python does not).
enum PythonString {
    typealias Scalars = [Unicode.Scalar]

    static func scalars(_ s: String) -> Scalars { Array(s.unicodeScalars) }

    static func string<C: Collection>(_ s: C) -> String where C.Element == Unicode.Scalar {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }

    /// Python `str.isspace` for one character (Unicode White_Space plus U+001C…U+001F).
    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        u.properties.isWhitespace || (0x1C...0x1F).contains(u.value)
    }

    static func find(_ hay: Scalars, _ needle: Scalars, from start: Int = 0) -> Int? {
        if needle.isEmpty { return start <= hay.count ? start : nil }
        guard hay.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func contains(_ hay: String, _ needle: String) -> Bool { find(scalars(hay), scalars(needle)) != nil }

    static func hasPrefix(_ s: String, _ p: String) -> Bool { s.unicodeScalars.starts(with: p.unicodeScalars) }

    static func hasSuffix(_ s: String, _ p: String) -> Bool {
        s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed())
    }

    /// `str.split(sep, maxsplit)`; `sep == nil` splits on whitespace runs and drops empty ends.
    static func split(_ s: String, _ sep: String?, maxSplit: Int = -1) -> [String] {
        let a = scalars(s)
        var out = [String]()
        if let sep = sep {
            let n = scalars(sep)
            var start = 0
            while maxSplit < 0 || out.count < maxSplit, let k = find(a, n, from: start) {
                out.append(string(a[start..<k]))
                start = k + n.count
            }
            out.append(string(a[start...]))
            return out
        }
        var i = 0
        while i < a.count {
            while i < a.count && isSpace(a[i]) { i += 1 }
            if i == a.count { break }
            if maxSplit >= 0 && out.count == maxSplit {
                var end = a.count
                while end > i && isSpace(a[end - 1]) { end -= 1 }
                out.append(string(a[i..<end]))
                break
            }
            let start = i
            while i < a.count && !isSpace(a[i]) { i += 1 }
            out.append(string(a[start..<i]))
        }
        return out
    }

    static func rsplit(_ s: String, _ sep: String?, maxSplit: Int) -> [String] {
        guard maxSplit >= 0, let sep = sep else { return split(s, sep, maxSplit: maxSplit) }
        let parts = split(s, sep)
        guard parts.count > maxSplit + 1 else { return parts }
        let head = parts[0..<(parts.count - maxSplit)].joined(separator: sep)
        return [head] + parts[(parts.count - maxSplit)...]
    }

    /// `str.strip/lstrip/rstrip(chars)`.
    static func strip(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
        let a = scalars(s)
        let set = chars.map { Set($0.unicodeScalars) }
        func strippable(_ u: Unicode.Scalar) -> Bool { set.map { $0.contains(u) } ?? isSpace(u) }
        var lo = 0, hi = a.count
        if left { while lo < hi && strippable(a[lo]) { lo += 1 } }
        if right { while hi > lo && strippable(a[hi - 1]) { hi -= 1 } }
        return string(a[lo..<hi])
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        let a = scalars(s), o = scalars(old), n = scalars(new)
        var out = Scalars()
        var i = 0, done = 0
        if o.isEmpty {
            // Python inserts `new` between every character (and at both ends).
            for u in a {
                if count < 0 || done < count { out += n; done += 1 }
                out.append(u)
            }
            if count < 0 || done < count { out += n }
            return string(out)
        }
        while i < a.count {
            if (count < 0 || done < count), let k = find(a, o, from: i), k >= i {
                out += a[i..<k]
                out += n
                i = k + o.count
                done += 1
            } else {
                out += a[i...]
                break
            }
        }
        return string(out)
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + String(s.unicodeScalars.dropFirst()).lowercased()
    }

    /// Python `str.title`: uppercase after a non-letter, lowercase otherwise.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for u in s.unicodeScalars {
            let cased = u.properties.isCased || u.properties.isAlphabetic
            out += previousCased ? String(u).lowercased() : String(u).uppercased()
            previousCased = cased && u.properties.isAlphabetic
        }
        return out
    }

    /// Python ordering of strings: by code point.
    static func less(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }
}
