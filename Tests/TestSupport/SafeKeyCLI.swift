import Foundation
import XCTest

/// Runs the built `safekey` executable the way a user does. It is found beside the test bundle
/// (`swift build --build-tests` puts both in the same build folder); a test that needs it is
/// skipped with that explanation when it is absent.
public enum SafeKeyCLI {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public let status: Int32
        /// Standard output as bytes (for binary or exact-byte checks).
        public let outData: Data
        public let err: String
        /// Standard output as UTF-8 text.
        public var out: String { String(decoding: outData, as: UTF8.self) }
    }

    /// The executable, or nil when it is not built.
    public static var executableURL: URL? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0])
        var candidates = [here.deletingLastPathComponent().appendingPathComponent("safekey")]
        // On Linux the test runner is `<build>/SafeKeyPackageTests.xctest`; on macOS it is inside
        // a bundle, two levels below the build folder.
        candidates.append(here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("safekey"))
        for b in Bundle.allBundles where b.bundleURL.pathExtension == "xctest" {
            candidates.append(b.bundleURL.deletingLastPathComponent().appendingPathComponent("safekey"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The executable, or `XCTSkip` when it is not built.
    public static func executable() throws -> URL {
        guard let u = executableURL else {
            throw XCTSkip("safekey executable not built beside the tests (\(CommandLine.arguments[0])); build with `swift build --build-tests`")
        }
        return u
    }

    /// Starts `safekey <args>` without waiting (output discarded), e.g. to kill it part-way.
    public static func launch(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = try executable()
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs `safekey <args>` to the end, with optional standard input and extra environment.
    public static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try run(args, stdinData: stdin.map { Data($0.utf8) }, environment: environment)
    }

    /// Runs `safekey <args>` with `stdinData` (nil: no standard input) and waits for the end.
    public static func run(_ args: [String], stdinData stdin: Data?, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = try executable()
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let done = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async { errBox.data = errHandle.readDataToEndOfFile(); done.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, outData: o, err: String(decoding: errBox.data, as: UTF8.self))
    }
}
