/// sprig's float arithmetic (`addf`, `subf`, `mulf`, `divf`) runs in `shopspring/decimal`: each operand becomes the
/// exact decimal of its shortest representation (`NewFromFloat`), sums and products are exact, a quotient is rounded
/// half away from zero to 16 decimal places (`DivisionPrecision`), and the result is the nearest `float64`. So
/// `addf 0.1 0.2` is 0.3, not 0.30000000000000004. This reproduces that with a small arbitrary-precision integer.
struct GoDecimal {
    var negative: Bool
    var coefficient: BigUInt
    var exponent: Int

    /// `decimal.NewFromFloat`.
    init(_ v: Double) throws(TemplateCallError) {
        guard v.isFinite else { throw TemplateCallError("Cannot create a Decimal from \(GoFmt.string(.float(v)))") }
        negative = false
        coefficient = BigUInt(0)
        exponent = 0
        if v == 0 { return }
        let (digits, dp) = GoFmt.shortestDigits(v)
        negative = v < 0
        for d in digits { coefficient.multiply(bySmall: 10, adding: UInt32(d)) }
        exponent = dp - digits.count
    }

    private init(negative: Bool, coefficient: BigUInt, exponent: Int) {
        self.negative = coefficient.isZero ? false : negative
        self.coefficient = coefficient
        self.exponent = exponent
    }

    /// The nearest `float64` (`Decimal.Float64`).
    var double: Double {
        if coefficient.isZero { return 0 }
        let text = (negative ? "-" : "") + coefficient.decimalString + "e" + String(exponent)
        return Double(text) ?? 0
    }

    static func + (a: GoDecimal, b: GoDecimal) -> GoDecimal {
        let e = min(a.exponent, b.exponent)
        let ca = a.coefficient.timesPowerOf10(a.exponent - e), cb = b.coefficient.timesPowerOf10(b.exponent - e)
        if a.negative == b.negative { return GoDecimal(negative: a.negative, coefficient: ca + cb, exponent: e) }
        if BigUInt.compare(ca, cb) >= 0 { return GoDecimal(negative: a.negative, coefficient: ca - cb, exponent: e) }
        return GoDecimal(negative: b.negative, coefficient: cb - ca, exponent: e)
    }

    static prefix func - (a: GoDecimal) -> GoDecimal {
        GoDecimal(negative: !a.negative, coefficient: a.coefficient, exponent: a.exponent)
    }

    static func - (a: GoDecimal, b: GoDecimal) -> GoDecimal { a + (-b) }

    static func * (a: GoDecimal, b: GoDecimal) -> GoDecimal {
        GoDecimal(negative: a.negative != b.negative, coefficient: a.coefficient * b.coefficient,
                  exponent: a.exponent + b.exponent)
    }

    /// `Decimal.Div`: `DivRound(b, 16)`.
    static func divide(_ a: GoDecimal, _ b: GoDecimal) throws(TemplateCallError) -> GoDecimal {
        guard !b.coefficient.isZero else { throw TemplateCallError("decimal division by 0") }
        let precision = 16
        let k = a.exponent - b.exponent + precision
        let numerator = a.coefficient.timesPowerOf10(max(0, k))
        let denominator = b.coefficient.timesPowerOf10(max(0, -k))
        var (q, r) = BigUInt.divMod(numerator, denominator)
        if BigUInt.compare(r + r, denominator) >= 0 { q = q + BigUInt(1) }
        return GoDecimal(negative: a.negative != b.negative, coefficient: q, exponent: -precision)
    }
}

/// A non-negative integer of any size, little-endian 32-bit limbs without trailing zero limbs.
struct BigUInt {
    var limbs: [UInt32]

    init(_ v: UInt64) {
        limbs = []
        if v != 0 { limbs.append(UInt32(truncatingIfNeeded: v)) }
        if v >> 32 != 0 { limbs.append(UInt32(v >> 32)) }
    }

    private init(limbs: [UInt32]) {
        self.limbs = limbs
        normalize()
    }

    var isZero: Bool { limbs.isEmpty }

    private mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    mutating func multiply(bySmall m: UInt32, adding a: UInt32 = 0) {
        var carry = UInt64(a)
        for i in limbs.indices {
            let p = UInt64(limbs[i]) * UInt64(m) + carry
            limbs[i] = UInt32(truncatingIfNeeded: p)
            carry = p >> 32
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
        normalize()
    }

    /// Divides in place, returning the remainder.
    mutating func divide(bySmall d: UInt32) -> UInt32 {
        var rem: UInt64 = 0
        for i in limbs.indices.reversed() {
            let cur = rem << 32 | UInt64(limbs[i])
            limbs[i] = UInt32(cur / UInt64(d))
            rem = cur % UInt64(d)
        }
        normalize()
        return UInt32(rem)
    }

    func timesPowerOf10(_ n: Int) -> BigUInt {
        var r = self
        var k = n
        while k >= 9 { r.multiply(bySmall: 1_000_000_000); k -= 9 }
        while k > 0 { r.multiply(bySmall: 10); k -= 1 }
        return r
    }

    var decimalString: String {
        if isZero { return "0" }
        var r = self
        var chunks: [UInt32] = []
        while !r.isZero { chunks.append(r.divide(bySmall: 1_000_000_000)) }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let part = String(c)
            s += String(repeating: "0", count: 9 - part.count) + part
        }
        return s
    }

    static func compare(_ a: BigUInt, _ b: BigUInt) -> Int {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count ? -1 : 1 }
        for i in a.limbs.indices.reversed() where a.limbs[i] != b.limbs[i] {
            return a.limbs[i] < b.limbs[i] ? -1 : 1
        }
        return 0
    }

    static func + (a: BigUInt, b: BigUInt) -> BigUInt {
        var out = [UInt32](repeating: 0, count: max(a.limbs.count, b.limbs.count) + 1)
        var carry: UInt64 = 0
        for i in 0..<(out.count - 1) {
            let s = UInt64(i < a.limbs.count ? a.limbs[i] : 0) + UInt64(i < b.limbs.count ? b.limbs[i] : 0) + carry
            out[i] = UInt32(truncatingIfNeeded: s)
            carry = s >> 32
        }
        out[out.count - 1] = UInt32(carry)
        return BigUInt(limbs: out)
    }

    /// `a - b` for `a >= b`.
    static func - (a: BigUInt, b: BigUInt) -> BigUInt {
        var out = a.limbs
        var borrow: Int64 = 0
        for i in out.indices {
            var d = Int64(out[i]) - Int64(i < b.limbs.count ? b.limbs[i] : 0) - borrow
            if d < 0 { d += 1 << 32; borrow = 1 } else { borrow = 0 }
            out[i] = UInt32(d)
        }
        return BigUInt(limbs: out)
    }

    static func * (a: BigUInt, b: BigUInt) -> BigUInt {
        if a.isZero || b.isZero { return BigUInt(0) }
        var out = [UInt32](repeating: 0, count: a.limbs.count + b.limbs.count)
        for i in a.limbs.indices {
            var carry: UInt64 = 0
            for j in b.limbs.indices {
                let t = UInt64(a.limbs[i]) * UInt64(b.limbs[j]) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            out[i + b.limbs.count] = UInt32(carry)
        }
        return BigUInt(limbs: out)
    }

    /// Quotient and remainder, by binary long division (operands here are a few hundred bits at most).
    static func divMod(_ a: BigUInt, _ b: BigUInt) -> (BigUInt, BigUInt) {
        if compare(a, b) < 0 { return (BigUInt(0), a) }
        if b.limbs.count == 1 {
            var q = a
            let r = q.divide(bySmall: b.limbs[0])
            return (q, BigUInt(UInt64(r)))
        }
        var q = [UInt32](repeating: 0, count: a.limbs.count)
        var r = BigUInt(0)
        for bit in stride(from: a.limbs.count * 32 - 1, through: 0, by: -1) {
            r.multiply(bySmall: 2, adding: (a.limbs[bit / 32] >> UInt32(bit % 32)) & 1)
            if compare(r, b) >= 0 {
                r = r - b
                q[bit / 32] |= 1 << UInt32(bit % 32)
            }
        }
        return (BigUInt(limbs: q), r)
    }
}
