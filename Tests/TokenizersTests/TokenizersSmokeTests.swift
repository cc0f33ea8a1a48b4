import XCTest
import Tokenizers

final class TokenizersSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(TokenizersModule.self) }
}
