/// Tokenizers: Hugging Face `tokenizer.json` byte-level BPE and chat templates (issue 4).
public enum TokenizersModule {}
