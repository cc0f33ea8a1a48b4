// Tokenizers re-exports Support, so `import Tokenizers` keeps giving ChatMessage (now Support's)
// and the JSON value the tokenizer files are read into.
@_exported import Support
