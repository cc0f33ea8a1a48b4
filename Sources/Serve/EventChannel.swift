import Foundation

/// The events of one request, from the scheduler thread to the request's task (issue 18). Unlike an
/// `AsyncStream`, the consumer takes **everything that is pending** at each `next()`: when the
/// connection's writer falls behind the decoding steps (many concurrent streams on few cores), the
/// tokens that piled up go out as one server-sent event instead of one event each — what vLLM's
/// `RequestOutputCollector` does with the outputs of a request whose consumer is behind. A consumer
/// that keeps up gets one event at a time, as before.
///
/// Ending: the producer calls ``finish()``; the consumer calls ``close()`` when it stops reading (done,
/// its client went away, or its task was cancelled), which runs `onClose` once (the scheduler's
/// cancel of the request) and drops later events.
public final class EventChannel: AsyncSequence, @unchecked Sendable {
    public typealias Element = [(Int, SequenceEvent)]

    private let lock = NSLock()
    private var pending: Element = []
    private var waiter: CheckedContinuation<Element?, Never>?
    private var ended = false, closed = false
    private var onClose: (@Sendable () -> Void)?

    public init() {}

    /// Sets what ``close()`` runs (before the channel is handed to a consumer).
    public func whenClosed(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        onClose = body
        lock.unlock()
    }

    /// Adds one event (scheduler thread); wakes a waiting consumer. Dropped after ``close()``.
    public func yield(_ event: (Int, SequenceEvent)) {
        lock.lock()
        if closed || ended { lock.unlock(); return }
        if let w = waiter {
            waiter = nil
            lock.unlock()
            w.resume(returning: [event])
        } else {
            pending.append(event)
            lock.unlock()
        }
    }

    /// No more events: the consumer gets what is pending, then the end.
    public func finish() {
        lock.lock()
        ended = true
        let w = pending.isEmpty ? waiter : nil
        if w != nil { waiter = nil }
        lock.unlock()
        w?.resume(returning: nil)
    }

    /// Every pending event (at least one), waiting for one if none is; `nil` at the end, after
    /// ``close()``, or when the calling task is cancelled (which closes the channel).
    public func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Element?, Never>) in
                lock.lock()
                if !pending.isEmpty {
                    let batch = pending
                    pending = []
                    lock.unlock()
                    c.resume(returning: batch)
                } else if ended || closed {
                    lock.unlock()
                    c.resume(returning: nil)
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        } onCancel: {
            close()
        }
    }

    /// The consumer stops reading: a waiting `next()` returns `nil`, later events are dropped, and
    /// `onClose` runs (once).
    public func close() {
        lock.lock()
        if closed { lock.unlock(); return }
        closed = true
        pending = []
        let w = waiter, body = onClose
        waiter = nil
        onClose = nil
        lock.unlock()
        w?.resume(returning: nil)
        body?()
    }

    public struct Iterator: AsyncIteratorProtocol {
        let channel: EventChannel
        public mutating func next() async -> Element? { await channel.next() }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(channel: self) }
}
