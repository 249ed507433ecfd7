import ArgumentParser
import Ingest

/// `mclog config check FILE`: validates a configuration and summarises what it declares.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with mclog.yaml.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file; errors name the line and key path.")

        @Argument(help: "The configuration file.")
        var file: String = "mclog.yaml"

        func run() throws {
            let c: IngestConfig
            do { c = try IngestConfig.load(path: file) } catch let e as ConfigError {
                printError("error: \(e)")
                throw ExitCode(1)
            }
            print("\(file): ok")
            print("data: \(c.dataDirectory)")
            print("listen: \(c.listen)")
            print("positions: \(c.positionsFile)")
            print("metastore: \(c.metastore)")
            for s in c.sources {
                let labels = s.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
                let files = s.paths.flatMap { globMatches($0) }.count
                print("source \(s.name): \(s.format.rawValue) {\(labels)} tenant \(s.tenant), \(files) file(s) match now")
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// How many paths `pattern` matches now (for `config check`'s summary).
func globMatches(_ pattern: String) -> [String] {
    var g = glob_t()
    defer { globfree(&g) }
    guard glob(pattern, 0, nil, &g) == 0 else { return [] }
    return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
}
