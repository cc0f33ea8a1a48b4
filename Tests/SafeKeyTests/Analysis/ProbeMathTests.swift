import SafeKey
import XCTest

/// The probe's pieces on hand-checked values: AUC with ties, fold balance, the interval, and the
/// logistic fit on separable and constant features.
final class ProbeMathTests: XCTestCase {
    func testAUCCountsTiesAsHalf() {
        // Positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5, 0.5>0.1) = 3.5/4.
        XCTAssertEqual(ProbeFolds.auc(scores: [0.9, 0.5, 0.5, 0.1], labels: [true, true, false, false]), 0.875)
        XCTAssertEqual(ProbeFolds.auc(scores: [1, 2], labels: [true, false]), 0)
        XCTAssertTrue(ProbeFolds.auc(scores: [1, 2], labels: [true, true]).isNaN)
    }

    func testFoldsAreStratifiedBalancedAndSeeded() {
        let labels = (0..<23).map { $0 % 3 == 0 }
        let a = ProbeFolds.assign(labels: labels, folds: 5, seed: 1)
        XCTAssertEqual(a, ProbeFolds.assign(labels: labels, folds: 5, seed: 1))
        XCTAssertNotEqual(a, ProbeFolds.assign(labels: labels, folds: 5, seed: 2))
        let sizes = (0..<5).map { f in a.filter { $0 == f }.count }
        XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(sizes)")
        for f in 0..<5 {
            let harmful = zip(a, labels).filter { $0.0 == f && $0.1 }.count
            XCTAssertTrue((1...2).contains(harmful), "fold \(f) has \(harmful) of the 8 harmful")
        }
    }

    func testMeanInterval() {
        let m = MeanInterval([1, 2, 3, 4])
        XCTAssertEqual(m.mean, 2.5)
        // s = √(5/3); half-width 1.96·s/2.
        XCTAssertEqual(m.high - m.mean, 1.96 * (5.0 / 3).squareRoot() / 2, accuracy: 1e-12)
        XCTAssertEqual(MeanInterval([7]).low, 7)
        XCTAssertTrue(MeanInterval([]).mean.isNaN)
    }

    func testLogisticProbeSeparatesAndSurvivesConstantFeatures() {
        // Feature 0 separates the classes, feature 1 is constant (standardised to 0, not NaN).
        let x: [Float] = [-2, 5, -1, 5, 1, 5, 2, 5]
        let y = [false, false, true, true]
        let p = LogisticProbe(features: x, rows: 4, labels: y, l2: 1)
        XCTAssertLessThanOrEqual(p.gradientNorm, 1e-8)
        let z = p.logits(x, rows: 4)
        XCTAssertTrue(z[0] < 0 && z[1] < 0 && z[2] > 0 && z[3] > 0, "\(z)")
        XCTAssertEqual(p.weights[1], 0, accuracy: 1e-12)
        XCTAssertTrue(z.allSatisfy(\.isFinite))
    }
}
