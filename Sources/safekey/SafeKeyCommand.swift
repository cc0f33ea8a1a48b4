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

    /// Parses the arguments and runs the command; a parsing error is argument-parser's to print,
    /// and everything a command throws goes to ``ErrorReport`` — no command prints its own errors.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ErrorReport.end(with: error)
        }
    }
}
