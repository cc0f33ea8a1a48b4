import Foundation

/// Runs async work to completion from a synchronous `ParsableCommand.run()` (the root command stays
/// synchronous): the work runs on the cooperative pool while the calling thread waits.
func runBlocking<T>(_ work: @escaping () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// The result handed from the task to the waiting thread (written before the semaphore signals).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
