import Testing
@testable import LogStore

@Suite struct LabelTests {
    @Test("label sets are validated as Loki validates them", arguments: [
        ([("job", "nginx")], nil),
        ([("job", "nginx"), ("zone", "kzone")], nil),
        ([("_private", "x")], nil),
        ([("a1_B2", "x")], nil),
        ([("1job", "x")], "invalid label name"),
        ([("job-name", "x")], "invalid label name"),
        ([("job.name", "x")], "invalid label name"),
        ([("", "x")], "empty label name"),
        ([("job", "")], "empty value"),
        ([("job", "a"), ("job", "b")], "duplicate label name"),
        ([], "no labels"),
    ] as [([(String, String)], String?)])
    func validation(_ pairs: [(String, String)], _ expected: String?) {
        do {
            _ = try LabelSet(pairs.map { Label($0.0, $0.1) })
            #expect(expected == nil)
        } catch {
            #expect(expected != nil && "\(error)".contains(expected ?? "-"))
        }
    }

    @Test func errorsNameTheProblem() {
        #expect(throws: ValidationError("invalid label name \"job-name\": must match [a-zA-Z_][a-zA-Z0-9_]*")) {
            try LabelSet([Label("job-name", "x")])
        }
        #expect(throws: ValidationError("duplicate label name job")) {
            try LabelSet([Label("job", "a"), Label("job", "b")])
        }
    }

    @Test func tooManyLabelNamesNamesTheLimit() {
        var limits = Limits()
        limits.maxLabelNamesPerStream = 2
        #expect(throws: ValidationError(
            "stream has 3 label names, more than the limit max_label_names_per_stream=2")) {
            try LabelSet([Label("a", "1"), Label("b", "2"), Label("c", "3")], limits: limits)
        }
    }

    @Test func labelsAreSortedAndPrintedLikeLoki() throws {
        let l = try LabelSet([Label("zone", "kzone"), Label("job", "ng\"inx")])
        #expect(l.description == "{job=\"ng\\\"inx\", zone=\"kzone\"}")
    }

    @Test("matchers follow Prometheus semantics, missing label = empty", arguments: [
        ("job", LabelMatcher.Op.eq, "nginx", "nginx", true),
        ("job", .eq, "nginx", "backend", false),
        ("job", .neq, "nginx", "backend", true),
        ("job", .neq, "nginx", nil, true),
        ("job", .re, "ng.*", "nginx", true),
        ("job", .re, "gin", "nginx", false),  // fully anchored
        ("job", .re, "nginx|backend", "backend", true),
        ("job", .nre, "ng.*", "nginx", false),
        ("job", .nre, "ng.*", "backend", true),
        ("job", .re, ".*", nil, true),
        ("job", .re, ".+", nil, false),
        ("job", .eq, "", nil, true),
    ] as [(String, LabelMatcher.Op, String, String?, Bool)])
    func matchers(_ name: String, _ op: LabelMatcher.Op, _ value: String, _ actual: String?, _ expected: Bool) throws {
        #expect(try LabelMatcher(name, op, value).matches(actual) == expected)
    }

    @Test func tenantIDs() {
        #expect((try? Tenant.validate("team-a_1.prod")) != nil)
        #expect((try? Tenant.validate("..")) == nil)
        #expect((try? Tenant.validate("a/b")) == nil)
        #expect((try? Tenant.validate("")) == nil)
    }
}
