import Foundation

/// Every error the `Tokenizers` module throws. Messages say what was wrong, where, and what to do.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read (missing, unreadable, or not UTF-8 JSON).
    case unreadableFile(path: String, reason: String)
    /// `tokenizer.json` (or `tokenizer_config.json`) has a missing or ill-typed key.
    case malformedConfig(file: String, key: String, reason: String)
    /// The file describes a model or stage this module does not implement (e.g. WordPiece, Unigram).
    case unsupported(file: String, key: String, value: String)
    /// Input bytes that are not valid UTF-8 (byte offset of the first bad byte).
    case invalidUTF8(byteOffset: Int)
    /// JSON text (tokenizer.json, a messages file, a fixture) that does not parse; `offset` counts UTF-8 bytes.
    case invalidJSON(source: String, offset: Int, reason: String)
    /// A token id outside the vocabulary.
    case unknownTokenId(Int, vocabularySize: Int)
    /// A chat template that cannot be parsed, or uses a construct this Jinja subset lacks.
    case templateSyntax(message: String, line: Int, column: Int)
    /// A chat template failed while rendering (type error, undefined attribute, unknown filter…).
    case templateRender(message: String, line: Int, column: Int)
    /// The template called `raise_exception(message)` (transformers' helper): the input breaks its rules.
    case templateRaised(message: String)
    /// Rendering or parsing a chat template went past one of its sandbox bounds (`TemplateLimits`).
    case templateLimit(message: String, line: Int, column: Int)
    /// The tokenizer has no chat template (neither `tokenizer_config.json` nor `chat_template.jinja`).
    case noChatTemplate(path: String)
    /// A GGUF file whose header or metadata is invalid (`offset`: the byte where the fault was found).
    case malformedGGUF(path: String, offset: Int, detail: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason). Pass a model folder holding tokenizer.json, or the tokenizer.json file itself."
        case let .malformedConfig(file, key, reason):
            return "\(file): key '\(key)': \(reason). Re-export the tokenizer with Hugging Face tokenizers/transformers."
        case let .unsupported(file, key, value):
            return "\(file): '\(key)' = \(value) is not supported; this module implements byte-level BPE tokenizers "
                + "(GPT-2, Llama 3, Qwen2, DeepSeek-R1 families). Use a model with a byte-level BPE tokenizer.json."
        case let .invalidUTF8(offset):
            return "input is not valid UTF-8 (first bad byte at byte offset \(offset)); re-encode the text as UTF-8."
        case let .invalidJSON(source, offset, reason):
            return "\(source): invalid JSON at byte \(offset): \(reason). Fix the file so that it is valid JSON."
        case let .unknownTokenId(id, size):
            return "token id \(id) is outside the vocabulary (0..<\(size)); check that the ids come from this tokenizer."
        case let .templateSyntax(message, line, column):
            return "chat template line \(line), column \(column): \(message). Fix the template, or use one within the "
                + "supported Jinja subset (see ChatTemplate)."
        case let .templateRender(message, line, column):
            return "chat template line \(line), column \(column): \(message). Check the messages passed in "
                + "(roles, content types) against what the template expects."
        case let .templateRaised(message):
            return "the chat template rejected the conversation: \(message)"
        case let .templateLimit(message, line, column):
            return "chat template line \(line), column \(column): \(message). Chat templates come with downloaded models and are "
                + "untrusted: check that this one is what its model's authors published, or raise the limit (TemplateLimits)."
        case let .noChatTemplate(path):
            return "\(path) has no chat template: add 'chat_template' to tokenizer_config.json or a chat_template.jinja file."
        case let .malformedGGUF(path, offset, detail):
            return "\(path): malformed GGUF file at byte \(offset): \(detail). "
                + "The file is damaged or was not written by a GGUF writer; re-download or re-convert it."
        }
    }
}
