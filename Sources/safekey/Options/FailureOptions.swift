import ArgumentParser

/// `--allow-failures N|P%` of `generate`, `eval` and `annotate`: how many failed items
/// (generations, judgements, records) a run accepts before its exit status is
/// ``FailurePolicy/exitCode`` (3).
struct FailureOptions: ParsableArguments {
    @Option(help: "Failed items accepted before the exit status becomes 3: a count N or a percentage P% (default 0; a run in which every item failed always exits 3).")
    var allowFailures: FailurePolicy = .noFailures

    /// Throws a ``StatusError`` (status 3) when `failed` of `total` `what` are more than accepted.
    func enforce(failed: Int, total: Int, what: String) throws {
        try allowFailures.enforce(failed: failed, total: total, what: what)
    }
}
