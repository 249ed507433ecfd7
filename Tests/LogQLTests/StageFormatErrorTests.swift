import Testing
@testable import LogQL

/// Template execution errors set `__error__="TemplateFormatErr"` and `__error_details__` with Go's text, as in
/// Loki's `pkg/logql/log/fmt_test.go`: `template: line:1:2: executing "line" at <.foo>: …`.
@Suite struct StageFormatErrorTests {
    @Test func lineFormatErrorHasLokisDetails() throws {
        let (labels, result) = try runStage(try LineFormatStage(#"{{.foo Replace "foo"}}"#), stream: ["foo": "blip", "bar": "blop"], line: "x")
        #expect(labels == ["__error__=TemplateFormatErr",
                           #"__error_details__=template: line:1:2: executing "line" at <.foo>: foo is not a method but has arguments"#,
                           "bar=blop", "foo=blip"])
        guard case .keep = result else { Issue.record("the line must be kept unchanged: \(result)"); return }
    }

    @Test("line and column of the failing node", arguments: [
        ("{{div 1 0}}", #"template: line:1:2: executing "line" at <div>: "#),
        ("ab {{ .a }} {{div 1 0}}", #"template: line:1:14: executing "line" at <div>: "#),
        ("first\nsecond {{div 1 0}}", #"template: line:2:9: executing "line" at <div>: "#),
        ("a\nb\n{{ .foo 1 }}", #"template: line:3:3: executing "line" at <.foo>: "#),
    ])
    func location(_ template: String, _ prefix: String) throws {
        let (labels, _) = try runStage(try LineFormatStage(template), stream: ["foo": "x"], line: "x")
        let details = labels.first { $0.hasPrefix("__error_details__=") }.map { String($0.dropFirst("__error_details__=".count)) }
        #expect(details?.hasPrefix(prefix) == true, "\(String(describing: details))")
    }

    @Test func labelFormatErrorIsNamedLabel() throws {
        let stage = try LabelFormatStage([LabelFormatItem(destination: "x", source: .template(#"{{.foo Replace "foo"}}"#))])
        let (labels, _) = try runStage(stage, stream: ["foo": "blip"], line: "x")
        #expect(labels.contains(#"__error_details__=template: label:1:2: executing "label" at <.foo>: foo is not a method but has arguments"#))
        #expect(labels.contains("__error__=TemplateFormatErr"))
    }
}
