import Support
import XCTest

/// `/proc/self/status` sizes, including values of 8 digits and more, which leave no space after the tab.
final class ProcStatusTests: XCTestCase {
    func testReadsSmallAndLargeValues() {
        let text = "Name:\tsafekey\nVmHWM:\t21253820 kB\nVmRSS:\t 3580928 kB\nThreads:\t3\n"
        XCTAssertEqual(ProcStatus.bytes("VmHWM", in: text), 21_253_820 * 1024)
        XCTAssertEqual(ProcStatus.bytes("VmRSS", in: text), 3_580_928 * 1024)
        XCTAssertNil(ProcStatus.bytes("VmSwap", in: text))
        XCTAssertNil(ProcStatus.bytes("Name", in: text), "not a number")
        #if os(Linux)
        XCTAssertGreaterThan(ProcStatus.bytes("VmRSS") ?? 0, 0, "this process's own status")
        #endif
    }
}
