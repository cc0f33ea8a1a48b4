import Foundation
@preconcurrency import Models
@preconcurrency import Tokenizers

/// Why a sequence ended (OpenAI's `finish_reason`).
public enum FinishReason: String, Sendable {
    /// A stop token or a stop string.
    case stop
    /// `max_tokens`, or the context is full.
    case length
}

/// What the scheduler reports for one choice of a request.
public enum SequenceEvent: Sendable {
    /// Newly final text (stop strings removed, partial characters and stop-string prefixes held back).
    case text(String)
    /// The choice ended; `tokens` generated tokens were counted (a stop token included).
    case finished(FinishReason, tokens: Int)
    /// The choice failed inside the model; the message says why.
    case failed(String)
}

/// One choice to generate: the prompt ids, sampling, and stop strings.
struct SequenceSpec: Sendable {
    var promptIds: [Int]
    var params: SamplingParameters
    var stop: [String]
    /// Generate past stop tokens (vLLM's `ignore_eos`).
    var ignoreEOS = false
}

/// Continuous batching over one model (issue 18). A dedicated thread owns the model and a
/// ``SlotKVCache``; each iteration it (1) admits waiting sequences into free slots, prefilling each
/// alone and sampling its first token, then (2) runs one batched ``DecoderModel/decodeStep`` over
/// every active sequence and samples each row. A sequence that stops (stop token, stop string,
/// `max_tokens`, cancellation) leaves at once and its slot takes the next waiting one. Results
/// stream out through each request's ``EventChannel`` as `(choice index, event)`.
///
/// Sampling per row is ``Sampler/choose`` with the row's own seen-token set (prompt and output,
/// as transformers' repetition penalty) and its own ``RandomSource``; greedy rows therefore
/// reproduce `DecoderModel.generate` for the same prompt.
///
/// Bounded: at most `maxBatch` active and `maxQueue` waiting sequences; ``submit`` refuses more
/// (HTTP 429).
public final class BatchScheduler: @unchecked Sendable {
    public typealias Events = EventChannel

    public let served: ServedModel
    public let maxBatch: Int
    public let maxQueue: Int

    private struct Waiting {
        let request: UInt64
        let index: Int
        let spec: SequenceSpec
        let sink: EventChannel
    }

    /// A sequence in a slot (scheduler thread only).
    private final class Active {
        let request: UInt64, index: Int, slot: Int
        let params: SamplingParameters
        let promptCount: Int
        let ignoreEOS: Bool
        var seen: Set<Int>
        var rng: RandomSource
        var decoder: StreamingDecoder
        var stops: StopStringMatcher
        let sink: EventChannel
        var generated = 0
        var last = 0
        var done = false
        init(_ w: Waiting, slot: Int, tokenizer: Tokenizer) {
            request = w.request; index = w.index; self.slot = slot; params = w.spec.params
            promptCount = w.spec.promptIds.count
            ignoreEOS = w.spec.ignoreEOS
            seen = Set(w.spec.promptIds)
            rng = RandomSource(seed: w.spec.params.seed)
            decoder = tokenizer.streamingDecoder(skipSpecialTokens: true)
            stops = StopStringMatcher(w.spec.stop)
            sink = w.sink
        }
    }

    private let condition = NSCondition()
    private var waiting: [Waiting] = []
    private var cancelled: Set<UInt64> = []
    private var nextRequest: UInt64 = 1
    private var stopping = false
    private var thread: Thread?
    private let cache: SlotKVCache
    private let stopIds: Set<Int>

    /// Counters for `/health` and `bench serve` (read under the lock).
    private var stepCount = 0, tokenCount = 0, activeCount = 0, peakActive = 0
    /// Seconds spent in the model (prefills and decoding steps, sampling included), and the part of
    /// it spent prefilling joining sequences' prompts (with their first token's sampling).
    private var modelSeconds = 0.0, prefillSeconds = 0.0

    public init(served: ServedModel, maxBatch: Int = 32, maxQueue: Int = 256) {
        self.served = served
        self.maxBatch = max(1, maxBatch)
        self.maxQueue = max(0, maxQueue)
        cache = SlotKVCache(config: served.local.model.config, slots: self.maxBatch, maxLength: served.contextLength)
        stopIds = served.local.stopIds
    }

    /// Starts the scheduler thread (idempotent).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        let t = Thread { [self] in loop() }
        t.name = "safekey-scheduler"
        t.stackSize = 16 << 20
        thread = t
        t.start()
    }

    /// Stops after the current step; waiting and active sequences are cancelled (their streams end).
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Active and waiting sequences now; decoding steps run, tokens generated, the most sequences
    /// active at once, seconds spent in the model (prefill, steps, sampling) so far, and the part of
    /// those spent prefilling.
    public var counters: (active: Int, waiting: Int, steps: Int, tokens: Int, peakActive: Int, modelSeconds: Double, prefillSeconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        return (activeCount, waiting.count, stepCount, tokenCount, peakActive, modelSeconds, prefillSeconds)
    }

    /// Queues the choices of one request; returns its id and its event stream, or throws 429 when
    /// the queue would overflow, 503 when shutting down. Closing the channel (its consumer's end) cancels the request.
    func submit(_ specs: [SequenceSpec]) throws -> (UInt64, Events) {
        let sink = EventChannel()
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw OpenAIError.shuttingDown }
        guard waiting.count + specs.count <= maxQueue + max(0, maxBatch - activeCount) else { throw OpenAIError.queueFull(maxQueue) }
        let id = nextRequest
        nextRequest += 1
        for (i, s) in specs.enumerated() { waiting.append(Waiting(request: id, index: i, spec: s, sink: sink)) }
        sink.whenClosed { [weak self] in self?.cancel(id) }
        condition.broadcast()
        return (id, sink)
    }

    /// Cancels every choice of `request` (a client that went away); a no-op once it finished.
    func cancel(_ request: UInt64) {
        condition.lock()
        waiting.removeAll { $0.request == request }
        cancelled.insert(request)
        condition.broadcast()
        condition.unlock()
    }

    // MARK: The scheduler thread

    private func loop() {
        var active: [Active] = []
        while true {
            condition.lock()
            while waiting.isEmpty && active.isEmpty && !stopping { condition.wait() }
            if stopping {
                let left = waiting
                waiting.removeAll()
                condition.unlock()
                for w in left { w.sink.finish() }
                for a in active { a.sink.finish(); cache.release(a.slot) }
                return
            }
            let gone = cancelled
            cancelled.removeAll()
            active.removeAll { a in
                guard gone.contains(a.request) else { return false }
                cache.release(a.slot)
                return true
            }
            var joining: [Waiting] = []
            while active.count + joining.count < maxBatch, !waiting.isEmpty { joining.append(waiting.removeFirst()) }
            activeCount = active.count + joining.count
            peakActive = max(peakActive, activeCount)
            condition.unlock()

            let t0 = DispatchTime.now().uptimeNanoseconds
            for w in joining {
                guard let slot = cache.acquire() else {   // cannot happen: active + joining ≤ maxBatch = slots
                    w.sink.yield((w.index, .failed("no free KV-cache slot")))
                    continue
                }
                let a = Active(w, slot: slot, tokenizer: served.local.tokenizer)
                do {
                    var logits = try served.local.model.prefill(ids: w.spec.promptIds, slot: slot, cache: cache)
                    accept(a, token: Sampler.choose(logits: &logits, seen: a.seen, params: a.params, rng: &a.rng))
                } catch {
                    a.sink.yield((a.index, .failed("prefill failed: \(error)")))
                    a.done = true
                }
                if a.done { cache.release(slot) } else { active.append(a) }
            }
            if !joining.isEmpty { addModelTime(since: t0, prefill: true) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            guard !active.isEmpty else { continue }
            do {
                let logits = try served.local.model.decodeStep(tokens: active.map(\.last), slots: active.map(\.slot), cache: cache)
                let v = served.local.model.config.vocabSize
                for (r, a) in active.enumerated() {
                    var row = Array(UnsafeBufferPointer(start: logits.data + r * v, count: v))
                    accept(a, token: Sampler.choose(logits: &row, seen: a.seen, params: a.params, rng: &a.rng))
                }
            } catch {
                for a in active { a.sink.yield((a.index, .failed("decoding step failed: \(error)"))); a.done = true }
            }
            active.removeAll { a in
                guard a.done else { return false }
                cache.release(a.slot)
                return true
            }
            addModelTime(since: t1)
            condition.lock()
            stepCount += 1
            activeCount = active.count
            condition.unlock()
        }
    }

    private func addModelTime(since t0: UInt64, prefill: Bool = false) {
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        condition.lock()
        modelSeconds += dt
        if prefill { prefillSeconds += dt }
        condition.unlock()
    }

    /// Records a sampled token: stop token, text (with stop strings), or the length limit.
    private func accept(_ a: Active, token: Int) {
        a.generated += 1
        a.last = token
        a.seen.insert(token)
        condition.lock()
        tokenCount += 1
        condition.unlock()
        if !a.ignoreEOS && (a.params.stopTokenIds.contains(token) || stopIds.contains(token)) {
            finish(a, .stop, tail: a.decoder.finish())
            return
        }
        let piece = a.decoder.push(token)
        let (text, hit) = a.stops.push(piece)
        if !text.isEmpty { a.sink.yield((a.index, .text(text))) }
        if hit {
            a.done = true
            a.sink.yield((a.index, .finished(.stop, tokens: a.generated)))
        } else if a.generated >= a.params.maxNewTokens || a.promptCount + a.generated >= cache.maxLength {
            finish(a, .length, tail: a.decoder.finish())
        }
    }

    private func finish(_ a: Active, _ reason: FinishReason, tail: String) {
        let (text, hit) = a.stops.push(tail)
        let rest = hit ? text : text + a.stops.finish()
        if !rest.isEmpty { a.sink.yield((a.index, .text(rest))) }
        a.done = true
        a.sink.yield((a.index, .finished(hit ? .stop : reason, tokens: a.generated)))
    }
}
