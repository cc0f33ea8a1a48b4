import XCTest
import SafetyEval

final class SafetyEvalSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(SafetyEvalModule.self) }
}
