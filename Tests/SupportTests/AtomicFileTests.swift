import Foundation
import Support
import TestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    private func leftovers(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
    }

    func testWritesCreatesFolderAndReplaces() throws {
        let dir = try TempDir.make("atomic", removedAfter: self)
        let path = dir + "/sub/deeper/out.txt"
        try AtomicFile.write("first\n", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first\n")
        try AtomicFile.write(Data([0x61, 0x62]), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([0x61, 0x62]))
        try AtomicFile.write(to: path) { sink in
            try sink.write([0x78])
            try sink.write("yz")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "xyz")
        XCTAssertEqual(try leftovers(dir + "/sub/deeper"), [])
        // Without createFolders a missing folder is an error, and nothing is created.
        XCTAssertThrowsError(try AtomicFile.write(to: dir + "/absent/x.bin", createFolders: false) { try $0.write("x") }) { e in
            XCTAssertEqual((e as? FileError)?.path, dir + "/absent")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/absent"))
    }

    /// A failing writer leaves the old file untouched and no temporary file behind.
    func testFailureLeavesNoPartialFile() throws {
        struct Boom: Error {}
        let dir = try TempDir.make("atomic", removedAfter: self)
        let path = dir + "/model.bin"
        try AtomicFile.write("old contents", to: path)
        XCTAssertThrowsError(try AtomicFile.write(to: path) { sink in
            try sink.write(Array(repeating: UInt8(7), count: 1 << 20))
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old contents")
        XCTAssertEqual(try leftovers(dir), [])
        // A new file that fails is never created.
        XCTAssertThrowsError(try AtomicFile.write(to: dir + "/new.bin") { _ in throw Boom() })
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/new.bin"))
    }

    func testUnwritableDestinationIsATypedError() throws {
        let dir = try TempDir.make("atomic", removedAfter: self)
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: true)
        try AtomicFile.write("x", to: dir + "/taken/inside")
        XCTAssertThrowsError(try AtomicFile.write("y", to: dir + "/taken")) { e in
            guard let e = e as? FileError else { return XCTFail("\(e)") }
            XCTAssertEqual(e.path, dir + "/taken")
            XCTAssertTrue(e.detail.contains("cannot rename"), e.detail)
        }
        XCTAssertEqual(try leftovers(dir), [])
    }

    /// Readers racing a rewriter only ever see a whole old or a whole new file.
    func testConcurrentReadersSeeWholeFiles() throws {
        let dir = try TempDir.make("atomic", removedAfter: self)
        let path = dir + "/state.txt"
        let a = String(repeating: "a", count: 200_000), b = String(repeating: "b", count: 300_000)
        try AtomicFile.write(a, to: path)
        let stop = DispatchSemaphore(value: 0)
        final class Flag: @unchecked Sendable { var bad = 0; let lock = NSLock() }
        let flag = Flag()
        let reader = Thread {
            while stop.wait(timeout: .now()) == .timedOut {
                guard let s = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                if s != a && s != b { flag.lock.lock(); flag.bad += 1; flag.lock.unlock() }
            }
        }
        reader.start()
        for k in 0..<20 { try AtomicFile.write(k % 2 == 0 ? b : a, to: path) }
        stop.signal()
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(flag.bad, 0)
    }
}
