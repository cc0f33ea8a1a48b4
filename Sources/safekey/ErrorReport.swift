import ArgumentParser
import Foundation

/// The one place a failed command is reported and its exit status chosen (``SafeKeyCommand/main()``
/// sends every error here; commands just throw):
///
/// | thrown                                        | printed on stderr                  | status |
/// |-----------------------------------------------|------------------------------------|--------|
/// | a bad flag, `ValidationError`                 | `Error: …` and the usage           | 64     |
/// | `--help`, `CleanExit`                         | the help, on stdout                | 0      |
/// | ``StatusError`` (e.g. `--allow-failures`)      | `error: …`                         | its own (3) |
/// | `ExitCode`                                    | nothing (already said)             | its own |
/// | anything else (a module's typed error)        | `error: …`                         | 1      |
enum ErrorReport {
    /// Reports `error` as the table says and ends the process.
    static func end(with error: Error) -> Never {
        switch error {
        case let code as ExitCode:
            exit(code.rawValue)
        case let e as StatusError:
            Console.err("error: \(e.description)\n")
            exit(e.status)
        case _ where isArgumentParserError(error):
            // ValidationError, CleanExit, and the parser's own errors (a bad flag, `--help` —
            // which argument-parser raises from the `run()` of its built-in help command).
            SafeKeyCommand.exit(withError: error)
        default:
            Console.err("error: \(message(error))\n")
            exit(1)
        }
    }

    /// Whether argument-parser raised `error` or defines its type (its parsing errors are internal
    /// types, so they are told apart by module).
    static func isArgumentParserError(_ error: Error) -> Bool {
        error is ValidationError || error is CleanExit || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    /// The text of `error`: its `description` (the typed errors of every module say what, where and
    /// what to do), a Foundation error's localized description.
    static func message(_ error: Error) -> String {
        if let d = (error as? LocalizedError)?.errorDescription { return d }
        if type(of: error) is NSError.Type { return Console.reason(error) }
        return String(describing: error)
    }
}

/// An error whose exit status is not 1: printed as `error: <description>`, then the process exits
/// with `status` (``FailurePolicy/exitCode`` for failed items beyond `--allow-failures`).
struct StatusError: Error, CustomStringConvertible {
    let status: Int32
    let description: String
}

/// A data-parallel rank's error, reported with the rank (`error: rank 1 of 2: …`).
struct RankError: Error, CustomStringConvertible {
    let rank: Int, size: Int
    let underlying: Error
    var description: String { "rank \(rank) of \(size): \(ErrorReport.message(underlying))" }
}
