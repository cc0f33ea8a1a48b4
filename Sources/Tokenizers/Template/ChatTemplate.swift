import Foundation

/// A compiled Jinja2 chat template (the subset HF chat templates use: `if/elif/else`, `for` with
/// `loop.*` and `else`, `set` incl. `namespace()` attributes and block sets, macros, `break` /
/// `continue`, item/attribute access, slices, Python string/dict methods, the filters and tests
/// listed in `TemplateBuiltins`), rendered as transformers' `apply_chat_template` does
/// (`trim_blocks`, `lstrip_blocks`, `raise_exception`, `tojson` without HTML escaping).
///
///     let template = try ChatTemplate(source: tokenizer.chatTemplate!)
///     let text = try template.render(context: ["messages": [["role": "user", "content": "Hi"]],
///                                              "add_generation_prompt": true, "bos_token": "<s>"])
///
/// **Keep thinking.** DeepSeek-R1 templates drop the reasoning of assistant turns with
/// `content.split('</think>')[-1]`. SafeKey trains on the full trace (the reference edits the
/// template to delete that split). With `keepThinking: true`, `str.split('</think>')` (and `rsplit`)
/// return the string unsplit, so the template's `[-1]` / `[0]` see the whole content: for R1
/// templates this renders exactly what the edited template renders (tested against transformers).
/// Templates that separate reasoning differently (e.g. a `reasoning_content` field) are unaffected.
public final class ChatTemplate {
    public let source: String
    /// The sandbox bounds parsing and rendering keep to (`TemplateLimits`).
    public let limits: TemplateLimits
    private let nodes: [Node]

    /// Parses `source`; syntax errors and unsupported constructs throw
    /// `TokenizerError.templateSyntax` with the line and column, nesting past `limits` throws
    /// `TokenizerError.templateLimit`.
    public init(source: String, limits: TemplateLimits = .standard) throws {
        self.source = source
        self.limits = limits
        var lexer = TemplateLexer(source)
        var parser = TemplateParser(try lexer.segments(), limits: limits)
        nodes = try parser.parse()
    }

    /// Renders with the given variables (e.g. `messages`, `add_generation_prompt`, `bos_token`, `tools`).
    public func render(context: [String: TemplateValue], keepThinking: Bool = false) throws -> String {
        let renderer = TemplateRenderer(context: context, keepThinking: keepThinking, limits: limits)
        var out = ""
        _ = try renderer.render(nodes, into: &out)
        return out
    }
}

extension Tokenizer {
    /// The variables transformers passes to a chat template besides the conversation: the special
    /// tokens that are set (`bos_token`, `eos_token`, `unk_token`, `pad_token`), `tools` and `documents`
    /// (None unless given), and `add_generation_prompt`.
    public func chatTemplateContext(messages: TemplateValue, addGenerationPrompt: Bool,
                                    tools: TemplateValue = .none) -> [String: TemplateValue] {
        var context: [String: TemplateValue] = ["messages": messages, "add_generation_prompt": .bool(addGenerationPrompt),
                                                "tools": tools, "documents": .none]
        for (key, value) in [("bos_token", bosToken), ("eos_token", eosToken), ("unk_token", unkToken), ("pad_token", padToken)] {
            if let v = value { context[key] = .string(v) }
        }
        return context
    }

    /// Renders `messages` with this tokenizer's chat template, byte-identical to transformers'
    /// `tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=...)`.
    /// `keepThinking` keeps `<think>…</think>` in assistant turns (see `ChatTemplate`).
    /// `template` overrides the tokenizer's own template source.
    public func applyChatTemplate(_ messages: [ChatMessage], addGenerationPrompt: Bool, keepThinking: Bool = false,
                                  tools: TemplateValue = .none, template: String? = nil) throws -> String {
        let list = TemplateValue.array(messages.map { m -> TemplateValue in ["role": .string(m.role), "content": .string(m.content)] })
        return try applyChatTemplate(messages: list, addGenerationPrompt: addGenerationPrompt, keepThinking: keepThinking,
                                     tools: tools, template: template)
    }

    /// As above, for messages given as template values (tool calls, extra keys).
    public func applyChatTemplate(messages: TemplateValue, addGenerationPrompt: Bool, keepThinking: Bool = false,
                                  tools: TemplateValue = .none, template: String? = nil) throws -> String {
        guard let source = template ?? chatTemplate else { throw TokenizerError.noChatTemplate(path: self.source) }
        let compiled = try ChatTemplate(source: source)
        return try compiled.render(context: chatTemplateContext(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                                                tools: tools), keepThinking: keepThinking)
    }
}
