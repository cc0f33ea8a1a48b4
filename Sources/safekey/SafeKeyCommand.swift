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
}
