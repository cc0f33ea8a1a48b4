import ArgumentParser

/// `--output DIR` and `--overwrite`: the folder a command writes a whole model into (`train`,
/// `merge`). Saving replaces and deletes files there, hence the two guards of ``refuse(inputs:unless:)``.
struct OutputFolderOptions: ParsableArguments {
    @Option(help: "Output folder (created when absent).") var output: String
    @Flag(help: "Replace an existing, non-empty --output folder (default: refuse).") var overwrite = false

    /// Throws when `--output` is, or holds, one of `inputs`, or (unless `allowed`) exists with
    /// files in it and `--overwrite` is not given.
    func refuse(inputs: [(flag: String, path: String)], existingUnless allowed: Bool = false) throws {
        try refuseOverwritingInputs(inputs)
        try OutputGuard.refuseExisting("--output", output, overwrite: overwrite, unless: allowed)
    }

    /// Throws when `--output` is, or holds, one of `inputs` (after resolving symlinks).
    func refuseOverwritingInputs(_ inputs: [(flag: String, path: String)]) throws {
        try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: inputs, folder: true)
    }
}
