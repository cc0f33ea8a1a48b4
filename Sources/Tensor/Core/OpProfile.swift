import Foundation

/// Opt-in wall-clock profile per op, for `safekey bench train --profile`.
///
/// Forward time of an op is the time since the previous op recorded itself or the previous
/// backward closure ended (ops record at their end, so glue code between ops is charged to the
/// next op); backward time is measured around each node's backward closure. GEMMs called outside parallel regions are also timed per shape
/// (attention's tile products run inside a region and are charged to attention only).
/// Switched off (the default) it costs one flag test per op.
public enum OpProfile {
    nonisolated(unsafe) public static var isEnabled = false
    nonisolated(unsafe) static var forward: [String: (seconds: Double, calls: Int)] = [:]
    nonisolated(unsafe) static var backward: [String: (seconds: Double, calls: Int)] = [:]
    nonisolated(unsafe) static var lastStamp: UInt64 = 0
    nonisolated(unsafe) static var gemms: [String: (seconds: Double, flops: Double, calls: Int)] = [:]

    /// Clears the tables and starts the forward clock.
    public static func reset() {
        forward = [:]; backward = [:]; gemms = [:]
        lastStamp = DispatchTime.now().uptimeNanoseconds
    }

    /// Restarts the forward clock (call after work that belongs to no op, e.g. the optimizer).
    public static func mark() { lastStamp = DispatchTime.now().uptimeNanoseconds }

    static func recordForward(_ op: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let e = forward[op] ?? (0, 0)
        forward[op] = (e.seconds + Double(now &- lastStamp) * 1e-9, e.calls + 1)
        lastStamp = now
    }

    static func timeBackward(_ op: String, _ body: () -> Void) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let end = DispatchTime.now().uptimeNanoseconds
        let e = backward[op] ?? (0, 0)
        backward[op] = (e.seconds + Double(end &- start) * 1e-9, e.calls + 1)
        // Restart the forward clock: otherwise the next op recorded in forward — the first op of a
        // block that `checkpoint` recomputes inside backward — is charged with this backward work.
        lastStamp = end
    }

    static func recordGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, since start: UInt64) {
        let key = "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)×\(n)×\(k)"
        let e = gemms[key] ?? (0, 0, 0)
        gemms[key] = (e.seconds + Double(DispatchTime.now().uptimeNanoseconds &- start) * 1e-9,
                      e.flops + 2 * Double(m) * Double(n) * Double(k), e.calls + 1)
    }

    /// GEMM rows `(shape "NT m×n×k", seconds, GFLOP/s, calls)`, largest time first.
    public static func gemmTable() -> [(shape: String, seconds: Double, gflops: Double, calls: Int)] {
        gemms.map { ($0.key, $0.value.seconds, $0.value.flops / max($0.value.seconds, 1e-12) / 1e9, $0.value.calls) }
            .sorted { $0.seconds > $1.seconds }
    }

    /// Rows `(op, forward s, backward s, calls)` sorted by total time, largest first.
    public static func table() -> [(op: String, forward: Double, backward: Double, calls: Int)] {
        let ops = Set(forward.keys).union(backward.keys)
        return ops.map { op in (op, forward[op]?.seconds ?? 0, backward[op]?.seconds ?? 0, forward[op]?.calls ?? 0) }
            .sorted { $0.forward + $0.backward > $1.forward + $1.backward }
    }
}
