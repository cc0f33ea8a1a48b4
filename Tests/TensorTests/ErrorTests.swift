import XCTest
import Tensor

/// Shape mismatches, empty tensors and out-of-range indices give errors naming the op and the
/// shapes; they never touch memory.
final class ErrorTests: XCTestCase {
    private func expectError(_ op: String, _ body: () throws -> Tensor, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(op), "error should name \(op): \(text)", file: file, line: line)
        }
    }

    func testShapeMismatchesNameTheOpAndShapes() {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        expectError("matmul") { try matmul(a, b) }
        XCTAssertThrowsError(try matmul(a, b)) { XCTAssertTrue("\($0)".contains("[2, 3]") && "\($0)".contains("[4, 5]")) }
        expectError("add") { try add(a, b) }
        expectError("mul") { try mul(a, b) }
        expectError("linear") { try linear(a, weight: b) }
        expectError("addBias") { try addBias(a, Tensor(zeros: [2])) }
        expectError("rmsNorm") { try rmsNorm(a, weight: Tensor(zeros: [4]), eps: 1e-6) }
        expectError("rope") { try rope(Tensor(zeros: [1, 2, 1, 3]), positions: [0, 1], invFreq: [1]) }
        expectError("swiglu") { try swiglu(gate: a, up: b) }
        expectError("attention") { try attention(q: Tensor(zeros: [1, 2, 3, 4]), k: Tensor(zeros: [1, 2, 2, 4]), v: Tensor(zeros: [1, 2, 2, 4])) }
        expectError("attention") { try attention(q: Tensor(zeros: [1, 2, 2, 4]), k: Tensor(zeros: [1, 2, 2, 4]), v: Tensor(zeros: [1, 2, 2, 4]), hiddenKeys: [true]) }
        expectError("crossEntropy") { try crossEntropy(logits: a, targets: [1]) }
        expectError("maskedCrossEntropy") { try maskedCrossEntropy(logits: a, targets: [1, 2], mask: [1]) }
        expectError("spanMeanPool") { try spanMeanPool(Tensor(zeros: [1, 4, 2]), spans: []) }
        expectError("bceWithLogits") { try bceWithLogits(logits: a, targets: [1]) }
        expectError("reshape") { try a.reshaped([5]) }
        expectError("embedding") { try embedding(ids: [0, 1, 2], shape: [2], table: a) }
    }

    func testEmptyTensorsAreRefused() {
        let empty = Tensor(zeros: [0, 3])
        expectError("matmul") { try matmul(empty, Tensor(zeros: [3, 2])) }
        expectError("rmsNorm") { try rmsNorm(empty, weight: Tensor(zeros: [3]), eps: 1e-6) }
        expectError("embedding") { try embedding(ids: [], shape: [0], table: Tensor(zeros: [4, 3])) }
        expectError("crossEntropy") { try crossEntropy(logits: empty, targets: []) }
    }

    func testOutOfRangeIndices() {
        let table = Tensor(zeros: [4, 3])
        expectError("embedding") { try embedding(ids: [0, 4], shape: [2], table: table) }
        expectError("embedding") { try embedding(ids: [-1], shape: [1], table: table) }
        expectError("crossEntropy") { try crossEntropy(logits: Tensor(zeros: [2, 3]), targets: [0, 3]) }
        expectError("spanMeanPool") { try spanMeanPool(Tensor(zeros: [1, 4, 2]), spans: [(start: 2, end: 2)]) }
        expectError("spanMeanPool") { try spanMeanPool(Tensor(zeros: [1, 4, 2]), spans: [(start: 0, end: 5)]) }
    }

    func testBackwardNeedsAScalarWithAGraph() {
        XCTAssertThrowsError(try Tensor(zeros: [2]).backward())
        XCTAssertThrowsError(try Tensor(zeros: []).backward())
    }
}
