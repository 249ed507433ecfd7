import ByteSearch

/// A compiled line_format / label_format template.
///
/// The language is the subset of Go's `text/template` that Loki runs (`pkg/logql/log/fmt.go`), implemented natively:
/// text and `{{ actions }}` with `{{- ` / ` -}}` trim markers and `{{/* comments */}}`; pipelines whose value is
/// the last argument of the next command (`{{ .path | replace " " "_" | trunc 5 | upper }}`); parenthesised calls;
/// `{{if}}`/`{{else if}}`/`{{else}}`/`{{end}}`, `{{with}}` and `{{range}}` (over `fromJson` arrays and maps, and
/// integers) with `{{break}}`/`{{continue}}`; variables (`$x := …`, `$` is the label map); and Loki's function map
/// — its own functions, the sprig functions it imports and Go's builtins (see `TemplateFunctions`).
///
/// As in Loki:
/// - labels are the dot: `{{.status}}` is the label's value, and a missing label is the empty string (Loki parses
///   with `missingkey=zero` over a `map[string]string`); `{{ index . "weird-name" }}` reads any label;
/// - `__line__` is the entry's line and `__timestamp__` its time (a `time.Time`, printed as
///   `2022-06-27 18:05:24.12 +0000 UTC` and formatted with `date`, `unixEpoch`, …);
/// - values keep Go's types, so Go's type rules apply: labels are strings, `gt .status 400` is an error
///   (`incompatible types for comparison`; write `gt (int .status) 400`), `trunc (add 1 2)` is an error (`add`
///   returns an `int64`, `trunc` takes an `int`), and numbers print like Go's `fmt` (`3`, `2.5`, `3e+06`);
/// - a function that fails, or a value of the wrong type, is a render error; the pipeline turns it into
///   `__error__="TemplateFormatErr"` with the message as `__error_details__`.
///
/// The zone Loki calls "Local" (used by `now`, `date`, `toDate`, `__timestamp__`) is UTC in mclog.
public struct LineTemplate: Sendable {
    public let source: String
    let root: [TemplateNode]
    /// Regular expressions given as literals to `regexReplaceAll`, `regexReplaceAllLiteral` and `count`, compiled
    /// once here; an invalid one is still reported when the template runs, as in Loki.
    let regexes: [String: Regex]

    /// Parses `source`; throws `LogQLError` with the byte offset of the problem in `source`.
    public init(_ source: String) throws {
        self.source = source
        var parser = try TemplateParser(source)
        root = try parser.parse()
        var patterns: [String: Regex] = [:]
        LineTemplate.literalPatterns(root) { p in
            if patterns[p] == nil, let r = try? TemplateRegex.compile(p) { patterns[p] = r }
        }
        regexes = patterns
    }

    /// Renders with label lookups, the current line and its timestamp (Unix ns).
    public func render(label: (String) -> String?, line: String, timestamp: Int64) throws -> String {
        try withoutActuallyEscaping(label) { lookup in
            var exec = TemplateExecutor(env: TemplateEnv(line: line, timestamp: timestamp, lookup: lookup, regexes: regexes))
            _ = try exec.walk(root, dot: .labels)
            return exec.output
        }
    }

    /// Calls `body` with each string literal given as the pattern of a regex function.
    private static func literalPatterns(_ list: [TemplateNode], _ body: (String) -> Void) {
        func pipe(_ p: TemplatePipe) {
            for cmd in p.cmds {
                if case .function(_, let name, _) = cmd.args[0], TemplateFunctions.regexFunctions.contains(name),
                   cmd.args.count > 1, case .string(_, let pattern, _) = cmd.args[1] {
                    body(pattern)
                }
                for a in cmd.args { arg(a) }
            }
        }
        func arg(_ a: TemplateArg) {
            switch a {
            case .pipe(_, let p): pipe(p)
            case .chain(_, let inner, _): arg(inner)
            default: break
            }
        }
        for node in list {
            switch node {
            case .action(let p): pipe(p)
            case .ifNode(let p, let l, let e), .with(let p, let l, let e), .range(let p, let l, let e):
                pipe(p)
                literalPatterns(l, body)
                if let e { literalPatterns(e, body) }
            case .text, .breakLoop, .continueLoop: break
            }
        }
    }
}
