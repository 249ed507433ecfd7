/// The bytes the timestamp parsers compare against, by name.
enum ASCII {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let equals = UInt8(ascii: "=")
    static let leftParen = UInt8(ascii: "(")
    static let rightParen = UInt8(ascii: ")")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let hash = UInt8(ascii: "#")
    static let semicolon = UInt8(ascii: ";")
    static let star = UInt8(ascii: "*")
    static let plus = UInt8(ascii: "+")
    static let comma = UInt8(ascii: ",")
    static let hyphen = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let slash = UInt8(ascii: "/")
    static let zero = UInt8(ascii: "0")
    static let colon = UInt8(ascii: ":")
    static let upperT = UInt8(ascii: "T")
    static let lowerT = UInt8(ascii: "t")
    static let upperZ = UInt8(ascii: "Z")
    static let lowerZ = UInt8(ascii: "z")
    static let leftBracket = UInt8(ascii: "[")
    static let rightBracket = UInt8(ascii: "]")
}

extension UnsafeRawBufferPointer {
    /// The byte at `index`, or 0 past the end, so that fixed-layout parsers need no separate length checks.
    @inline(__always)
    func byte(at index: Int) -> UInt8 {
        index < count ? self[index] : 0
    }

    /// The value of the byte at `index` as a decimal digit, or nil if it is not one (or past the end).
    @inline(__always)
    func digit(at index: Int) -> Int? {
        let d = byte(at: index) &- ASCII.zero
        return d < 10 ? Int(d) : nil
    }

    /// The value of exactly `count` decimal digits starting at `index`, or nil if any of them is not a digit.
    @inline(__always)
    func digits(at index: Int, count n: Int) -> Int? {
        var value = 0
        for i in index..<(index + n) {
            guard let d = digit(at: i) else { return nil }
            value = value * 10 + d
        }
        return value
    }
}
