import Testing
@testable import Storage

@Suite struct CompactionRunsTests {
    @Test(arguments: [
        ([Int](), [Range<Int>]()),
        ([1], []),
        ([1, 1], [0..<2]),
        ([1, 1, 50, 1, 1, 1], [0..<2, 3..<6]),  // a large block splits the runs
        ([5, 5, 5, 5], [0..<2, 2..<4]),  // the target (10) caps a run
        ([1, 50, 1], []),  // single small blocks are left alone
        ([9, 9, 9], []),  // 9 + 9 > 10
        ([50, 1, 2, 3], [1..<4]),
    ])
    func runsOfSmallAdjacentBlocks(sizes: [Int], want: [Range<Int>]) {
        #expect(CompactionRuns.plan(sizes: sizes, small: 10, target: 10) == want)
    }
}
