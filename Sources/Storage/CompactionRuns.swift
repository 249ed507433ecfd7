/// Which adjacent blocks a compaction merges, for both stores: runs of consecutive blocks each smaller than
/// `small`, together at most `target` bytes, of two blocks or more. Only blocks well below the target are merged,
/// so that a byte is rewritten a few times at most.
public enum CompactionRuns {
    /// Index ranges into `sizes` (blocks in time order) to merge, each holding at least two blocks.
    public static func plan(sizes: [Int], small: Int, target: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = 0, size = 0
        for (i, s) in sizes.enumerated() {
            if s < small && size + s <= target {
                size += s  // the run start...i grows
                continue
            }
            if i - start > 1 { runs.append(start..<i) }
            (start, size) = s < small ? (i, s) : (i + 1, 0)
        }
        if sizes.count - start > 1 { runs.append(start..<sizes.count) }
        return runs
    }
}
