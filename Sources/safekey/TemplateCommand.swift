import ArgumentParser
import Foundation
import Tokenizers

/// `safekey template` — renders a conversation with the model's own chat template and prints the
/// text exactly (nothing appended), as transformers' `apply_chat_template(tokenize=False)` would.
/// `--messages FILE` holds a JSON list of messages, or an object with `messages` (and optional `tools`).
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render messages with a model's chat template (printed exactly, nothing appended)."
    )

    @Option(name: .long, help: "Model folder (tokenizer.json + tokenizer_config.json or chat_template.jinja), tokenizer.json, or a .gguf file.") var tokenizer: String
    @Option(name: .long, help: "JSON file: [{\"role\": …, \"content\": …}, …] or {\"messages\": […], \"tools\": […]}.") var messages: String
    @Flag(name: .long, help: "End with the assistant header so the model answers next.") var addGenerationPrompt = false
    @Flag(name: .long, help: "Keep <think>…</think> in assistant turns (R1 templates drop it; SafeKey trains on it).") var keepThinking = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: messages) else {
            throw ValidationError("cannot read --messages \(messages)")
        }
        let text = try Tokenizer.validatedString(utf8: Array(data))
        let parsed = try TemplateValue(jsonText: text, source: messages)
        var list = parsed, tools = TemplateValue.none
        if case let .dict(d) = parsed {
            guard let m = d["messages"] else { throw ValidationError("\(messages): the object has no \"messages\" key") }
            list = m
            tools = d["tools"] ?? .none
        }
        guard case .array = list else { throw ValidationError("\(messages): expected a JSON list of messages") }
        let rendered: String
        if FileManager.default.fileExists(atPath: (tokenizer as NSString).appendingPathComponent("tokenizer.json"))
            || tokenizer.hasSuffix(".json") || Tokenizer.isGGUFPath(tokenizer) {
            let tok = try Tokenizer(path: tokenizer)
            rendered = try tok.applyChatTemplate(messages: list, addGenerationPrompt: addGenerationPrompt,
                                                 keepThinking: keepThinking, tools: tools)
        } else {
            // A folder with only chat_template.jinja: render without special-token variables.
            let jinja = (tokenizer as NSString).appendingPathComponent("chat_template.jinja")
            guard let source = try Tokenizer.readChatTemplateFile(jinja) else {
                throw TokenizerError.noChatTemplate(path: tokenizer)
            }
            rendered = try ChatTemplate(source: source).render(
                context: ["messages": list, "add_generation_prompt": .bool(addGenerationPrompt), "tools": tools, "documents": .none],
                keepThinking: keepThinking)
        }
        try Console.out(rendered)
    }
}
