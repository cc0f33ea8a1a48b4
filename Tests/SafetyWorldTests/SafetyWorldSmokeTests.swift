import XCTest
import SafetyWorld

final class SafetyWorldSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(SafetyWorldModule.self) }
}
