import Foundation
import Serve
import XCTest

/// ``EventChannel``: a consumer that is behind gets every pending event at once (the tokens that
/// piled up become one SSE chunk); closing runs the cancel hook once and drops later events;
/// a cancelled waiting task gets the end and closes the channel; finishing delivers what is pending first.
final class EventChannelTests: XCTestCase {
    private func texts(_ batch: [(Int, SequenceEvent)]?) -> [String] {
        (batch ?? []).map { i, e in
            switch e {
            case let .text(t): return "\(i):\(t)"
            case let .finished(r, n): return "\(i):finished \(r.rawValue) \(n)"
            case let .failed(m): return "\(i):failed \(m)"
            }
        }
    }

    func testPendingEventsComeAsOneBatchAndAWaitingConsumerGetsEachAtOnce() async {
        let ch = EventChannel()
        ch.yield((0, .text("a")))
        ch.yield((1, .text("b")))
        ch.yield((0, .text("c")))
        let first = await ch.next()
        XCTAssertEqual(texts(first), ["0:a", "1:b", "0:c"], "events pending before next() come together, in order")
        let waiting = Task { await ch.next() }
        try? await Task.sleep(nanoseconds: 50_000_000)
        ch.yield((0, .finished(.length, tokens: 3)))
        let second = await waiting.value
        XCTAssertEqual(texts(second), ["0:finished length 3"])
    }

    func testFinishDeliversPendingEventsThenTheEnd() async {
        let ch = EventChannel()
        ch.yield((0, .text("x")))
        ch.finish()
        ch.yield((0, .text("dropped")))
        let pending = await ch.next()
        XCTAssertEqual(texts(pending), ["0:x"])
        let end = await ch.next()
        XCTAssertNil(end)
    }

    func testCloseRunsTheHookOnceAndDropsLaterEvents() async {
        let ch = EventChannel()
        let count = Counter()
        ch.whenClosed { count.add() }
        ch.yield((0, .text("pending")))
        ch.close()
        ch.close()
        ch.yield((0, .text("late")))
        let end = await ch.next()
        XCTAssertNil(end, "a closed channel has nothing more to read")
        XCTAssertEqual(count.value, 1)
    }

    func testCancellingAWaitingConsumerEndsItAndClosesTheChannel() async {
        let ch = EventChannel()
        let count = Counter()
        ch.whenClosed { count.add() }
        let waiting = Task { await ch.next() }
        try? await Task.sleep(nanoseconds: 50_000_000)
        waiting.cancel()
        let got = await waiting.value
        XCTAssertNil(got)
        XCTAssertEqual(count.value, 1, "cancellation closes the channel (the scheduler's cancel of the request)")
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
