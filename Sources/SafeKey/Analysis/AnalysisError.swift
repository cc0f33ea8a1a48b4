/// Errors of the analysis commands (`safekey analyze attention|probe|kl`): what was wrong, where,
/// and what to do.
public enum AnalysisError: Error, CustomStringConvertible, Equatable {
    /// No record of the file can be used by this analysis (e.g. none has U/K offsets).
    case noUsableRecords(path: String, detail: String)
    /// The probe needs harmful and benign records; the file holds one class only.
    case singleClass(path: String, harmful: Int, benign: Int)
    /// An option value outside its range (named as on the command line).
    case invalidOption(String)
    /// Two models that cannot be compared (e.g. different vocabularies).
    case incompatibleModels(String)

    public var description: String {
        switch self {
        case let .noUsableRecords(path, detail):
            return "\(path): no record can be analysed: \(detail)"
        case let .singleClass(path, harmful, benign):
            return "\(path): the probe needs both harmful and benign records, but the usable records are \(harmful) harmful and \(benign) benign. "
                + "The label is each record's `unsafe` field (true/1 = harmful), or, without it, `source` != \"4o_rewrite\" (STAR-1's rule: "
                + "STAR-1 is all harmful). Add benign look-alikes (e.g. `safekey world generate` sets of both kinds, or STAR-benign rewrites)"
        case let .invalidOption(d): return "invalid option: \(d)"
        case let .incompatibleModels(d): return "models cannot be compared: \(d)"
        }
    }
}
