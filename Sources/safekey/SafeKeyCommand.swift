import ArgumentParser

/// `safekey <command>` — the SafeKey command-line tool.
@main
struct SafeKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safekey",
        abstract: "SafeKey: train, evaluate and analyse safer reasoning models, natively in Swift.",
        subcommands: [
            DemoCommand.self,
            BenchCommand.self,
            EncodeCommand.self,
            LossCommand.self,
            TrainCommand.self,
            MergeCommand.self,
            TokenizeCommand.self,
            TemplateCommand.self,
            GenerateCommand.self,
            EvalCommand.self,
            ReportCommand.self,
            ForwardCommand.self,
            ExportCommand.self,
            AnalyzeCommand.self,
            AnnotateCommand.self,
            WorldCommand.self,
            ServeCommand.self,
            ChatCommand.self,
        ]
    )

    /// Parses the arguments, checks the `SAFEKEY_*` settings (``EnvironmentSettings``) and runs the
    /// command; a parsing error is argument-parser's to print (so `--help` works whatever the
    /// environment), and everything else thrown goes to ``ErrorReport`` — no command prints its own errors.
    static func main() {
        do {
            var command = try parseAsRoot()
            // `--help` comes back as argument-parser's own help command: it prints whatever the environment.
            if !String(reflecting: type(of: command)).hasPrefix("ArgumentParser.") { try EnvironmentSettings.validate() }
            try command.run()
        } catch {
            ErrorReport.end(with: error)
        }
    }
}
