import Foundation
import Testing
@testable import Incidents
import Storage

func temporaryDirectory(_ name: String = #function) -> String {
    let dir = NSTemporaryDirectory() + "mclog-incidents-" + name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString
    try! FS.makeDirectories(dir)
    return dir
}

/// What only the embedded store has: files, temp files, a corrupt file left alone. The behaviour it shares with
/// PostgreSQL is in `IncidentStoreBehaviourTests`.
@Suite struct IncidentStoreTests {
    let day = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14, minute: 2, second: 13)

    func draft(_ start: Int64, zone: String = "kzone") -> IncidentDraft {
        IncidentDraft(title: "chat down", start: start, zones: [zone], severity: .p2, severityRule: "P2 set by hand",
                      openedBy: "manual")
    }

    @Test func notesAreWrittenWithoutLeavingTempFiles() throws {
        let dir = temporaryDirectory()
        let id = try EmbeddedIncidentStore(dataDirectory: dir).create(draft(day)).id
        try EmbeddedIncidentStore(dataDirectory: dir).addNote(id, IncidentNote(time: day + 60, author: "ana", text: "restarted vllm"))
        try EmbeddedIncidentStore(dataDirectory: dir).addNote(id, IncidentNote(time: day + 120, author: "bo", text: "traffic back"))
        let again = try #require(try EmbeddedIncidentStore(dataDirectory: dir).get(id))
        #expect(again.notes.map(\.text) == ["restarted vllm", "traffic back"])
        #expect(again.zones == ["kzone"])
        // No temp file is left behind by the atomic publish.
        #expect(try FS.list(dir + "/incidents/fake").filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func corruptFileIsReportedAndLeftAlone() throws {
        let dir = temporaryDirectory()
        let store = try EmbeddedIncidentStore(dataDirectory: dir)
        let id = try store.create(draft(day)).id
        let path = dir + "/incidents/fake/\(id).json"
        try FS.publishAtomically(Array("{\"id\": ".utf8), to: path)
        do {
            _ = try store.get(id)
            Issue.record("a truncated file must not decode")
        } catch let e as IncidentStoreError {
            #expect("\(e)".contains(path))
        }
        #expect(try FS.readFile(path) == Array("{\"id\": ".utf8))
    }

    @Test func aStaleTempFileIsIgnored() throws {
        let dir = temporaryDirectory()
        let store = try EmbeddedIncidentStore(dataDirectory: dir)
        let id = try store.create(draft(day)).id
        // A crash between writing the temp file and the rename leaves `….json.tmp`: readers never see it.
        try FS.publishAtomically(Array("garbage".utf8), to: dir + "/incidents/fake/\(id).json.tmp.x")
        FileManager.default.createFile(atPath: dir + "/incidents/fake/\(id).json.tmp", contents: Data("{".utf8))
        #expect(try store.list().map(\.id) == [id])
        try store.addNote(id, IncidentNote(time: day, author: "a", text: "after crash"))
        #expect(try store.get(id)?.notes.count == 1)
    }
}
