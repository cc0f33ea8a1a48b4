import ArgumentParser

/// `--data`, `--max-seq-len`, `--strict`: the SafeKey records a command encodes (`encode`, `loss`,
/// `train`, `analyze …`) with the model's tokenizer and chat template (``TrainingInputs``).
struct RecordInputOptions: ParsableArguments {
    @Option(help: "SafeKey records (JSON array or JSONL: question, response, source, summary_end_idx, next_sentence_end_idx, …).") var data: String
    @Option(help: "Cut longer sequences on the right (a record whose K no longer fits keeps no U/K spans).") var maxSeqLen = 8192
    @Flag(help: "Fail on the first bad record instead of skipping it.") var strict = false

    func validate() throws { try OptionRange.atLeast("--max-seq-len", maxSeqLen, 1) }

    /// The records encoded with the tokenizer of `model` (see ``TrainingInputs/load``).
    func load(tokenizerOf model: String, referenceSpans: Bool = false, report: Bool = true,
              withoutSpans: String = "train with SFT only") throws -> TrainingInputs.Loaded {
        try TrainingInputs.load(model: model, data: data, maxSeqLen: maxSeqLen, strict: strict, referenceSpans: referenceSpans,
                                report: report, withoutSpans: withoutSpans)
    }
}
