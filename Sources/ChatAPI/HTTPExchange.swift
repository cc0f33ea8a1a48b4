import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP response as the client needs it.
struct HTTPReply: Sendable {
    let status: Int
    let body: Data
    /// Header names lower-cased.
    let headers: [String: String]
    let url: URL
}

/// Sends single HTTP requests over one `URLSession` whose delegate refuses automatic redirects
/// (the client follows them itself, so it decides what headers go where) and collects each
/// task's bytes. The timeout is enforced here with a timer, so any positive value works:
/// swift-corelibs-foundation truncates a request's `timeoutInterval` to whole seconds, which turns
/// 0.3 s into an immediate failure.
final class HTTPExchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: Pending] = [:]
    private var session: URLSession!

    private final class Pending: @unchecked Sendable {
        var data = Data()
        var response: HTTPURLResponse?
        var continuation: CheckedContinuation<HTTPReply, Error>?
        let task: URLSessionDataTask
        init(task: URLSessionDataTask) { self.task = task }
    }

    init(maxConnections: Int) {
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = max(1, maxConnections)
        config.urlCache = nil
        config.httpShouldSetCookies = false
        config.timeoutIntervalForRequest = 3600
        config.timeoutIntervalForResource = 3600
        session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
    }

    func invalidate() { session.invalidateAndCancel() }

    /// Sends `request`, waiting at most `timeout` seconds for the whole response.
    func send(_ request: URLRequest, timeout: Double) async throws -> HTTPReply {
        var req = request
        // A backstop for the session itself, well beyond our own timer (whole seconds, ≥ 1).
        req.timeoutInterval = (timeout + 5).rounded(.up)
        let task = session.dataTask(with: req)
        let id = task.taskIdentifier
        let entry = Pending(task: task)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<HTTPReply, Error>) in
                lock.lock()
                entry.continuation = c
                pending[id] = entry
                lock.unlock()
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                    self?.finish(id, .failure(ChatAPIError.timedOut(timeout)))
                }
                task.resume()
            }
        } onCancel: {
            self.finish(id, .failure(CancellationError()))
        }
    }

    /// Resumes the waiting caller once; later calls for the same task do nothing.
    private func finish(_ id: Int, _ result: Result<HTTPReply, Error>) {
        lock.lock()
        guard let entry = pending.removeValue(forKey: id) else { lock.unlock(); return }
        let c = entry.continuation
        entry.continuation = nil
        lock.unlock()
        if case .failure = result { entry.task.cancel() }
        c?.resume(with: result)
    }

    // MARK: URLSessionDataDelegate

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)  // deliver the 3xx; ChatClient decides whether and how to follow it
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        pending[dataTask.taskIdentifier]?.response = response as? HTTPURLResponse
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        pending[dataTask.taskIdentifier]?.data.append(data)
        lock.unlock()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let id = task.taskIdentifier
        lock.lock()
        let entry = pending[id]
        let data = entry?.data ?? Data()
        let response = entry?.response ?? (task.response as? HTTPURLResponse)
        lock.unlock()
        if let error {
            let text = (error as? URLError)?.code == .timedOut ? "timed out" : error.localizedDescription
            finish(id, .failure(ChatAPIError.transport(text)))
            return
        }
        guard let http = response else { finish(id, .failure(ChatAPIError.transport("not an HTTP response"))); return }
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
        }
        finish(id, .success(HTTPReply(status: http.statusCode, body: data, headers: headers,
                                      url: http.url ?? task.originalRequest?.url ?? URL(fileURLWithPath: "/"))))
    }
}
