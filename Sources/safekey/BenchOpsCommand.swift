import ArgumentParser
import Foundation
import Tensor

/// `safekey bench ops`: achieved GFLOP/s of matmul (through the engine and through bare
/// `cblas_sgemm` on the same shapes, with their ratio), of attention forward and backward, and
/// GB/s of the element-wise ops. Each figure is the median of several timed repetitions.
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops", abstract: "Benchmark tensor ops (GFLOP/s, GB/s) against bare cblas_sgemm.")

    @Option(help: "Minimum seconds spent per measurement.") var seconds: Double = 0.4
    @Flag(help: "Smaller shapes, for a quick check.") var quick = false
    @Flag(help: "Time by the calling thread's CPU time, not wall time (needs SAFEKEY_THREADS=1): on a shared machine, the time the op actually ran.")
    var cpuTime = false

    func run() throws {
        if cpuTime {
            guard Parallel.threads == 1 else { throw ValidationError("--cpu-time needs SAFEKEY_THREADS=1 (other threads' time would not be counted)") }
            BenchClock.useThreadCPUTime = true
        }
        print("safekey bench ops — \(Parallel.threads) threads (SAFEKEY_THREADS), f32, median of repetitions, \(cpuTime ? "thread CPU time" : "wall time")")
        print("")
        print("matmul                         engine GFLOP/s   cblas_sgemm GFLOP/s   engine/bare")
        let shapes: [(String, Int, Int, Int)] = quick
            ? [("x·Wᵀ 256×256·256", 256, 256, 256)]
            : [("q_proj 512×896·896", 512, 896, 896), ("up_proj 512×896·4864", 512, 896, 4864),
               ("down_proj 512×4864·896", 512, 4864, 896), ("square 1024³", 1024, 1024, 1024),
               ("small 1024×256·704", 1024, 256, 704)]
        for (name, m, k, n) in shapes {
            let x = randomTensor([m, k]), w = randomTensor([n, k])
            let flops = 2.0 * Double(m * n * k)
            let out = Tensor(zeros: [m, n])
            // Alternate the two so that machine noise hits both alike.
            let (engine, bare) = medianPair(seconds, { _ = try? GradMode.noGrad { try linear(x, weight: w) } }, {
                sgemm(transB: true, m: m, n: n, k: k, a: x.data, lda: k, b: w.data, ldb: k, c: out.data, ldc: n)
            })
            print(pad(name, 30), pad(fmt(flops / engine / 1e9), 16), pad(fmt(flops / bare / 1e9), 21), fmt(bare / engine, 3))
        }
        print("")
        try benchBF16(quick: quick, seconds: seconds)
        print("")
        // Attention's tile products on this CPU's best tile kernel (AttentionKernel.best: AVX-512 or the
        // Swift kernel) and on sgemm, alternately; the sgemm figures in parentheses.
        print("attention (causal, GQA), \(AttentionKernel.best.rawValue) kernel   forward GFLOP/s (sgemm tiles)   backward GFLOP/s (sgemm tiles)")
        let attn: [(Int, Int, Int, Int)] = quick ? [(256, 4, 2, 64)] : [(512, 14, 2, 64), (2048, 14, 2, 64), (512, 8, 2, 64), (1024, 8, 2, 128)]
        let kernel = AttentionKernel.current
        defer { AttentionKernel.current = kernel }
        for (t, hq, hkv, d) in attn {
            let q = randomTensor([1, t, hq, d], grad: true), k = randomTensor([1, t, hkv, d], grad: true)
            let v = randomTensor([1, t, hkv, d], grad: true)
            let fwdFlops = 2.0 * Double(t * t * d * hq)           // QKᵀ and PV over the causal half
            func on(_ kind: AttentionKernel, _ body: @escaping () -> Void) -> () -> Void { { AttentionKernel.current = kind; body() } }
            let forward = { _ = try? GradMode.noGrad { try attention(q: q, k: k, v: v) } }
            let both = {
                guard let o = try? attention(q: q, k: k, v: v) else { return }
                try? o.sum().backward()
            }
            let best = AttentionKernel.best
            let (fwdTile, fwdBLAS) = medianPair(seconds, on(best, forward), on(.blas, forward))
            let (allTile, allBLAS) = medianPair(seconds, on(best, both), on(.blas, both))
            func rate(_ flops: Double, _ s: Double) -> String { fmt(flops / max(s, 1e-9) / 1e9) }
            print(pad("T=\(t) Hq=\(hq) Hkv=\(hkv) D=\(d)", 32), pad("\(rate(fwdFlops, fwdTile)) (\(rate(fwdFlops, fwdBLAS)))", 32),
                  "\(rate(2.5 * fwdFlops, allTile - fwdTile)) (\(rate(2.5 * fwdFlops, allBLAS - fwdBLAS)))")
        }
        print("")
        print("element-wise [rows × C]                    GB/s")
        let (rows, c) = quick ? (256, 1024) : (512, 4864)
        let a = randomTensor([rows, c]), b = randomTensor([rows, c]), g = randomTensor([c])
        let bytes3 = Double(3 * rows * c * 4), bytes2 = Double(2 * rows * c * 4)
        let rowsAdd = median(seconds) { _ = try? add(a, b) }
        let rowsNorm = median(seconds) { _ = try? rmsNorm(a, weight: g, eps: 1e-6) }
        let rowsGlu = median(seconds) { _ = try? swiglu(gate: a, up: b) }
        print(pad("add \(rows)×\(c)", 42), fmt(bytes3 / rowsAdd / 1e9))
        print(pad("rmsNorm \(rows)×\(c)", 42), fmt(bytes2 / rowsNorm / 1e9))
        print(pad("swiglu \(rows)×\(c)", 42), fmt(bytes3 / rowsGlu / 1e9))
    }
}

/// The clock of `median`/`medianPair`: wall time, or the calling thread's CPU time (`--cpu-time`).
enum BenchClock {
    nonisolated(unsafe) static var useThreadCPUTime = false
    /// Seconds on the chosen clock.
    static func now() -> Double {
        guard useThreadCPUTime else { return Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Seconds per call: the median over repetitions, repeating until `budget` seconds are spent.
func median(_ budget: Double, _ body: () -> Void) -> Double {
    body()   // warm-up
    var times: [Double] = []
    let start = Date()
    while times.count < 5 || (Date().timeIntervalSince(start) < budget && times.count < 200) {
        let t0 = BenchClock.now()
        body()
        times.append(BenchClock.now() - t0)
    }
    times.sort()
    return times[times.count / 2]
}

/// Seconds per call of `a` and of `b`, run alternately; medians over the repetitions.
func medianPair(_ budget: Double, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    a(); b()
    var ta: [Double] = [], tb: [Double] = []
    let start = Date()
    while ta.count < 5 || (Date().timeIntervalSince(start) < 2 * budget && ta.count < 200) {
        var t0 = BenchClock.now()
        a()
        ta.append(BenchClock.now() - t0)
        t0 = BenchClock.now()
        b()
        tb.append(BenchClock.now() - t0)
    }
    ta.sort(); tb.sort()
    return (ta[ta.count / 2], tb[tb.count / 2])
}

/// A tensor of deterministic pseudo-random values in [-0.5, 0.5).
func randomTensor(_ shape: [Int], grad: Bool = false) -> Tensor {
    let n = shape.reduce(1, *)
    var state: UInt64 = 0x9E3779B97F4A7C15 &+ UInt64(n)
    let values = (0..<n).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) - 0.5
    }
    return Tensor(shape: shape, values: values, requiresGrad: grad)
}

func fmt(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

/// BF16 × BF16 → F32 (`BF16Gemm`, AVX512-BF16 where the CPU has it) against f32 `cblas_sgemm` on
/// the same shapes, alternately (issue 14, item 4); the BF16 time includes packing both operands.
func benchBF16(quick: Bool, seconds: Double) throws {
    let kernel: BF16Gemm.Kernel = BF16Gemm.avx512Available ? .avx512 : .portable
    print("bf16 matmul (\(kernel == .avx512 ? "vdpbf16ps" : "portable C: this CPU has no AVX512-BF16"))   bf16 GFLOP/s   cblas_sgemm f32 GFLOP/s   bf16/f32")
    let shapes: [(String, Int, Int, Int, BF16Gemm.Layout)] = quick
        ? [("x·Wᵀ 256×256·256", 256, 256, 256, .nk)]
        : [("square 2048³ (x·Wᵀ)", 2048, 2048, 2048, .nk), ("square 2048³ (g·W)", 2048, 2048, 2048, .kn),
           ("q_proj 512×896·896", 512, 896, 896, .nk), ("up_proj 512×896·4864", 512, 896, 4864, .nk),
           ("down_proj g·W 512×4864·896", 512, 4864, 896, .kn)]
    for (name, m, k, n, layout) in shapes {
        let a = randomTensor([m, k]), w = randomTensor(layout == .nk ? [n, k] : [k, n])
        let wb = try BF16Matrix(rounding: w)
        let out = Tensor(zeros: [m, n])
        let flops = 2.0 * Double(m * n * k)
        let (bf16, f32) = medianPair(seconds, {
            BF16Gemm.multiply(a: a.data, m: m, k: k, b: wb.bits, layout: layout, n: n, c: out.data, kernel: kernel)
        }, {
            sgemm(transB: layout == .nk, m: m, n: n, k: k, a: a.data, lda: k, b: w.data, ldb: layout == .nk ? k : n, c: out.data, ldc: n)
        })
        print(pad(name, 44), pad(fmt(flops / bf16 / 1e9), 14), pad(fmt(flops / f32 / 1e9), 25), fmt(f32 / bf16, 2))
    }
}
