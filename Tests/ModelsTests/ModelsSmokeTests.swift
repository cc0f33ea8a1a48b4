import XCTest
import Models

final class ModelsSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(ModelsModule.self) }
}
