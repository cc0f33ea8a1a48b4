import Support
import XCTest

/// `SampleStatistics` against values worked by hand and NumPy's `std(ddof=1)`:
/// `np.std([2, 4, 4, 4, 5, 5, 7, 9], ddof=1)` = 2.138089935299395.
final class SampleStatisticsTests: XCTestCase {
    func testMeanAndSampleStandardDeviation() {
        let s = SampleStatistics([2, 4, 4, 4, 5, 5, 7, 9])
        XCTAssertEqual(s.count, 8)
        XCTAssertEqual(s.mean, 5, accuracy: 1e-15)
        XCTAssertEqual(s.sd, 2.138089935299395, accuracy: 1e-14)
    }

    func testOneValueHasNoSpreadAndNoValuesHaveNoMean() {
        XCTAssertEqual(SampleStatistics([3.5]).sd, 0)
        XCTAssertEqual(SampleStatistics([3.5]).mean, 3.5)
        XCTAssertTrue(SampleStatistics([]).mean.isNaN)
        XCTAssertTrue(SampleStatistics([]).sd.isNaN)
        XCTAssertEqual(SampleStatistics([]).count, 0)
    }
}
