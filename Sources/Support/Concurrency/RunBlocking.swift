import Foundation

/// Runs async `work` to completion from synchronous code — a `ParsableCommand.run()`, a blocking
/// API such as `ChatClient.completeAllBlocking` — and returns its result or rethrows its error
/// (typed: a non-throwing `work` gives a non-throwing call). `work` runs as a detached task on the
/// cooperative pool while the calling thread waits on a semaphore.
///
/// Call it only from a thread outside the pool (the main thread, a `Thread`): a pool thread
/// blocked here may be the one the work needs, and the process would hang.
///
///     let models = try runBlocking { try await client.models() }
public func runBlocking<T: Sendable, E: Error>(_ work: @escaping @Sendable () async throws(E) -> T) throws(E) -> T {
    let box = BlockingResult<T, E>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do throws(E) { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    // Set before the task signals, and the semaphore orders that write before this read.
    return try box.result!.get()
}

/// The result handed from the task to the waiting thread. `@unchecked Sendable`: `result` is
/// written once, by the task, before it signals the semaphore the reader waits on.
private final class BlockingResult<T: Sendable, E: Error>: @unchecked Sendable {
    var result: Result<T, E>?
}
