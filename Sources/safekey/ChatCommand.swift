import ArgumentParser
import Foundation
import Models
import Serve
import Support

/// `safekey chat --model DIR` — an interactive terminal chat (issue 18 item 3): the reply streams as
/// it is generated, the thinking (`<think>…</think>`) dimmed when stdout is a terminal. Commands:
/// `/reset` (forget the conversation), `/system TEXT` (set the system prompt; `/system` alone clears
/// it), `/think on|off` (show or hide the thinking), `/exit`. End of input (Ctrl-D) quits.
///
///     safekey chat --model Assets/world-base --temperature 0
///     echo "How do I bake bread?" | safekey chat --model Assets/world-base --temperature 0   # one exchange, plain text
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Chat with a model in the terminal (streaming; /reset, /system TEXT, /think on|off, /exit).")

    @OptionGroup var modelOptions: ServedModelOptions
    @Option(help: "Maximum new tokens per reply.") var maxTokens = 1024
    @Option(help: "Sampling temperature (0 = greedy).") var temperature: Float = 0.6
    @Option(help: "Top-p.") var topP: Float = 0.95
    @Option(help: "Repetition penalty (1 = off).") var repetitionPenalty: Float = 1
    @Option(help: "Sampling seed.") var seed: UInt64 = 0
    @Option(help: "System prompt.") var system: String?
    @Flag(help: "Hide the thinking (same as /think off).") var hideThinking = false

    func run() throws {
        let served = try modelOptions.load()
        let scheduler = BatchScheduler(served: served, maxBatch: 1, maxQueue: 1)
        scheduler.start()
        defer { scheduler.shutdown() }
        let params = SamplingParameters(maxNewTokens: maxTokens, temperature: temperature, topP: topP,
                                        repetitionPenalty: repetitionPenalty, seed: seed)
        // `ChatSession` is not `Sendable`, yet each reply runs in a task (`runBlocking`). Safe: the
        // session is used by one thread at a time — this one between replies, the task during one,
        // while this thread waits for it.
        nonisolated(unsafe) let session = ChatSession(scheduler: scheduler, params: params, system: system)
        let tty = isatty(STDOUT_FILENO) != 0, interactive = isatty(STDIN_FILENO) != 0
        var showThinking = !hideThinking
        let dim = tty ? "\u{1B}[2m" : "", plain = tty ? "\u{1B}[0m" : ""
        @Sendable func out(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
        if interactive { out("\(served.name) — /reset, /system TEXT, /think on|off, /exit\n") }
        while true {
            if interactive { out("> ") }
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text == "/exit" || text == "/quit" { break }
            if text == "/reset" { session.reset(); out("(conversation reset)\n"); continue }
            if text == "/system" || text.hasPrefix("/system ") {
                let s = String(text.dropFirst(7)).trimmingCharacters(in: .whitespaces)
                session.system = s.isEmpty ? nil : s
                out(s.isEmpty ? "(system prompt cleared)\n" : "(system prompt set)\n")
                continue
            }
            if text.hasPrefix("/think") {
                switch text.dropFirst(6).trimmingCharacters(in: .whitespaces) {
                case "on": showThinking = true; out("(thinking shown)\n")
                case "off": showThinking = false; out("(thinking hidden)\n")
                default: out("usage: /think on|off\n")
                }
                continue
            }
            if text.hasPrefix("/") { out("unknown command \(text); use /reset, /system TEXT, /think on|off, /exit\n"); continue }
            let show = showThinking
            let reply = try runBlocking {
                var inThinking = false
                let reply = try await session.send(text) { thinking, answer in
                    if show && !thinking.isEmpty {
                        if !inThinking { out(dim); inThinking = true }
                        out(thinking)
                    }
                    if !answer.isEmpty {
                        if inThinking { out(plain + "\n"); inThinking = false }
                        out(answer)
                    }
                }
                if inThinking { out(plain) }
                return reply
            }
            out(reply.finish == .length ? " […]\n" : "\n")
        }
    }
}
