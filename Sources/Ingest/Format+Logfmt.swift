/// `key=value key="quoted \"value\""` lines (Go's logfmt, Heroku). Keys of `StructuredKeys` give the
/// timestamp, level and metadata; a bare word without `=` is skipped.
enum Logfmt {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        var i = 0
        while i < p.count {
            i = p.skipBlanks(from: i)
            let ks = i
            while i < p.count, p[i] != ASCII.equals, p[i] != ASCII.space, p[i] != ASCII.tab { i += 1 }
            let key = ks..<i
            guard i < p.count, p[i] == ASCII.equals else { continue }
            i += 1
            var value: Range<Int>
            if p.byte(at: i) == ASCII.quote {
                guard let e = JSONLog.stringEnd(p, from: i + 1) else { return }
                value = (i + 1)..<e
                i = e + 1
            } else {
                let e = p.tokenEnd(from: i)
                value = i..<e
                i = e
            }
            if !key.isEmpty, let field = StructuredKeys.field(p, key) {
                StructuredKeys.assign(field, p, value, &f)
            }
            if value.isEmpty { continue }
        }
    }
}
