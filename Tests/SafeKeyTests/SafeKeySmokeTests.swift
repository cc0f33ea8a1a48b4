import XCTest
import SafeKey

final class SafeKeySmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(SafeKeyModule.self) }
}
