import Foundation
@testable import LogStore
import Storage

func temporaryDirectory(_ name: String = #function) -> String {
    let dir = NSTemporaryDirectory() + "mclog-test-" + name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString
    try! FS.makeDirectories(dir)
    return dir
}

func labels(_ pairs: KeyValuePairs<String, String>) -> LabelSet {
    try! LabelSet(pairs.map { Label($0.key, $0.value) })
}

func batch(_ entries: [(Int64, String)]) -> EntryBatch {
    var b = EntryBatch()
    for (t, l) in entries { b.append(timestamp: t, line: l) }
    return b
}

func smallOptions() -> StoreOptions {
    var o = StoreOptions()
    o.pageSize = 4096
    o.maintenanceIntervalSeconds = 0
    return o
}

extension LogStore {
    /// All matching entries as (labels, ts, line), in the requested order.
    func lines(_ query: [LabelMatcher], from: Int64 = .min, to: Int64 = .max, direction: Direction = .forward,
               filter: LineFilter? = nil, limit: Int = 0, tenant: String = Tenant.defaultID) throws
        -> [(String, Int64, String)]
    {
        var out: [(String, Int64, String)] = []
        try select(SelectRequest(tenant: tenant, matchers: query, from: from, to: to, direction: direction,
                                 filter: filter, limit: limit)) { e in
            out.append((e.labels.description, e.timestamp, String(decoding: e.line, as: UTF8.self)))
            return true
        }
        return out
    }
}

func eq(_ n: String, _ v: String) -> LabelMatcher { try! LabelMatcher(n, .eq, v) }
