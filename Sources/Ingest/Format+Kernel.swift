/// Kernel messages in the forms they reach files:
/// - `/dev/kmsg` records `6,3964,206764307,-;message` (priority, sequence, µs since boot, flags): level from the
///   priority;
/// - `dmesg` `[  201.650687] message`, optionally `<6>[…]` (the priority);
/// - `dmesg --decode --time-format iso`: `kern  :warn  : 2025-01-21T04:41:44,283302+00:00 message`;
/// - syslog-wrapped kernel lines (`Nov 21 10:15:03 host kernel: …`), read as `syslog`.
/// Boot-relative times are not wall-clock times: such lines get no timestamp (the runner gives them the previous
/// line's, or the time they were read). Without a priority, a few unmistakable messages set the level: the OOM
/// killer, NVIDIA Xid errors, `BUG:`/`Oops`/`Call Trace` → error; `Kernel panic` → critical.
enum KernelLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields, year: Int) {
        var i = 0
        // /dev/kmsg: `pri,seq,usec,flags;message`.
        if let semi = p.index(of: ASCII.semicolon, from: 0, to: 48), let pri = leadingInt(p, 0), pri.end < semi,
           p[pri.end] == ASCII.comma {
            f.level = Level.syslog(pri.value)
            return
        }
        // `<6>` priority prefix.
        if p.byte(at: 0) == ASCII.lessThan, let pri = leadingInt(p, 1), p.byte(at: pri.end) == ASCII.greaterThan {
            f.level = Level.syslog(pri.value)
            i = pri.end + 1
        }
        // `facility:level : ISO-time` from `dmesg --decode --time-format iso`.
        if let c1 = p.index(of: ASCII.colon, from: i, to: i + 12) {
            let ls = p.skipBlanks(from: c1 + 1)
            var le = ls
            while le < p.count, (p[le] | 0x20) &- UInt8(ascii: "a") < 26 { le += 1 }
            let c2 = p.skipBlanks(from: le)
            if le > ls, p.byte(at: c2) == ASCII.colon,
               let m = TimestampParser.dateTime(in: p, at: p.skipBlanks(from: c2 + 1), dateSeparator: ASCII.hyphen,
                                                allowsT: true) {
                f.level = Level.parse(p, ls..<le) ?? f.level
                f.timestamp = m.nanos
                f.timestampHasZone = m.hasZone
                return
            }
        }
        if p.byte(at: i) == ASCII.leftBracket {
            if f.level == nil { f.level = keywordLevel(p) }
            return
        }
        if let m = TimestampParser.dateTime(in: p, at: i, dateSeparator: ASCII.hyphen, allowsT: true) {
            f.timestamp = m.nanos
            f.timestampHasZone = m.hasZone
            f.level = keywordLevel(p)
            return
        }
        SyslogLog.parse(p, &f, year: year)
        if f.level == nil { f.level = keywordLevel(p) }
    }

    /// A decimal integer at `i` and the index after it.
    static func leadingInt(_ p: UnsafeRawBufferPointer, _ i: Int) -> (value: Int, end: Int)? {
        var v = 0, k = i
        while let d = p.digit(at: k), k - i < 9 {
            v = v * 10 + d
            k += 1
        }
        return k > i ? (v, k) : nil
    }

    /// The level of a kernel message that carries none, from messages whose meaning is unambiguous.
    static func keywordLevel(_ p: UnsafeRawBufferPointer) -> Level? {
        if p.find("Kernel panic") != nil { return .critical }
        if p.find("invoked oom-killer") != nil || p.find("Out of memory") != nil || p.find("Killed process") != nil
            || p.find("NVRM: Xid") != nil || p.find("BUG: ") != nil || p.find("Oops") != nil
            || p.find("Call Trace") != nil || p.find("oom-kill:") != nil {
            return .error
        }
        return nil
    }
}
