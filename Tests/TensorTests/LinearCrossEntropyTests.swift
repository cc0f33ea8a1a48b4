import XCTest
import Tensor

/// The fused, chunked LM head + cross-entropy equals `crossEntropy(linear(x, W))` — loss and both
/// gradients — including ignored rows, a chunk size that does not divide the row count, and a
/// vocabulary that is not a multiple of the SIMD width. (`crossEntropy` and `linear` are checked
/// against PyTorch in OpParityTests.)
final class LinearCrossEntropyTests: XCTestCase {
    func testMatchesUnfusedHeadAndLoss() throws {
        let n = 7, c = 5, v = 19
        let xv = (0..<(n * c)).map { Float(($0 * 29) % 17) / 9 - 0.9 }
        let wv = (0..<(v * c)).map { Float(($0 * 13) % 23) / 11 - 1 }
        let targets = [3, -100, 18, 0, 7, -100, 11]
        func run(fused: Bool) throws -> (Float, [Float], [Float]) {
            let x = Tensor(shape: [1, n, c], values: xv, requiresGrad: true)
            let w = Tensor.parameter(shape: [v, c], values: wv)
            let loss = fused ? try linearCrossEntropy(x, weight: w, targets: targets, chunkRows: 3)
                             : try crossEntropy(logits: linear(x, weight: w), targets: targets)
            try scale(loss, 2.5).backward()
            return (loss.item, x.gradValues ?? [], w.gradValues ?? [])
        }
        let (l0, dx0, dw0) = try run(fused: false), (l1, dx1, dw1) = try run(fused: true)
        XCTAssertEqual(l0, l1, accuracy: 1e-5 * max(1, abs(l0)))
        XCTAssertEqual(dx0.count, dx1.count)
        XCTAssertEqual(dw0.count, dw1.count)
        for (a, b) in zip(dx0 + dw0, dx1 + dw1) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertGreaterThan(dw1.map(abs).max() ?? 0, 1e-3, "gradient must not be trivially zero")
    }

    /// The masked variant equals `maskedCrossEntropy(linear(x, W))`, and its accuracy counts equal
    /// an argmax over the unfused logits. Targets under a 0 mask are out of range on purpose: they
    /// must not be read.
    func testMaskedMatchesUnfusedAndCountsArgmax() throws {
        let n = 9, c = 4, v = 21
        let xv = (0..<(n * c)).map { Float(($0 * 31) % 19) / 8 - 1.1 }
        let wv = (0..<(v * c)).map { Float(($0 * 7) % 29) / 13 - 1 }
        let mask: [Float] = [1, 0, 1, 1, 0, 1, 1, 0, 1]
        let x0 = Tensor(shape: [n, c], values: xv)
        let plain = try linear(x0, weight: Tensor(shape: [v, c], values: wv))
        // Half of the counted targets are the argmax of their row, half are not.
        var targets = [Int](repeating: 999, count: n)
        var expectedCorrect = 0
        for i in 0..<n where mask[i] != 0 {
            let row = Array(plain.values[(i * v)..<((i + 1) * v)])
            let best = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!
            targets[i] = i % 2 == 0 ? best : (best + 1) % v
            if i % 2 == 0 { expectedCorrect += 1 }
        }
        func run(fused: Bool) throws -> (Float, [Float], [Float], Int, Int) {
            let x = Tensor(shape: [n, c], values: xv, requiresGrad: true)
            let w = Tensor.parameter(shape: [v, c], values: wv)
            var correct = -1, counted = -1
            let loss: Tensor
            if fused {
                let r = try linearMaskedCrossEntropy(x, weight: w, targets: targets, mask: mask, chunkRows: 4)
                (loss, correct, counted) = (r.loss, r.correct, r.counted)
            } else {
                loss = try maskedCrossEntropy(logits: linear(x, weight: w), targets: targets, mask: mask)
            }
            try scale(loss, 1.5).backward()
            return (loss.item, x.gradValues ?? [], w.gradValues ?? [], correct, counted)
        }
        let (l0, dx0, dw0, _, _) = try run(fused: false), (l1, dx1, dw1, correct, counted) = try run(fused: true)
        XCTAssertEqual(l0, l1, accuracy: 1e-5 * max(1, abs(l0)))
        for (a, b) in zip(dx0 + dw0, dx1 + dw1) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(dx1.count, n * c)
        XCTAssertEqual(counted, 6)
        XCTAssertEqual(correct, expectedCorrect)
        XCTAssertThrowsError(try linearMaskedCrossEntropy(x0, weight: Tensor(shape: [v, c], values: wv), targets: targets, mask: [1]))
    }

    /// A frozen head (the LoRA case) forms `x`'s gradient in the forward pass: the same values as the
    /// recomputing backward of a trainable head — bit for bit for the loss's own gradient (g = 1),
    /// within rounding for a scaled loss — f32 and BF16 heads, with masked rows and uneven chunks.
    func testFrozenHeadGradientFormedInForwardEqualsRecomputed() throws {
        let n = 11, c = 6, v = 37
        let xv = (0..<(n * c)).map { Float(($0 * 29) % 17) / 9 - 0.9 }
        let wv = (0..<(v * c)).map { Float(($0 * 13) % 23) / 11 - 1 }.map { BF16.toFloat(BF16.fromFloat($0)) }
        let targets = (0..<n).map { ($0 * 7) % v }, mask: [Float] = [1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1]
        func dx(_ head: (Tensor) throws -> StoredWeight, scaleBy: Float) throws -> [Float] {
            let x = Tensor(shape: [n, c], values: xv, requiresGrad: true)
            let w = Tensor.parameter(shape: [v, c], values: wv)
            let loss = try linearMaskedCrossEntropy(x, weight: try head(w), targets: targets, mask: mask, chunkRows: 4).loss
            try (scaleBy == 1 ? loss : scale(loss, scaleBy)).backward()
            return x.gradValues ?? []
        }
        let trainable = try dx({ .f32($0) }, scaleBy: 1)
        XCTAssertEqual(try dx({ .f32(Tensor(shape: [v, c], values: $0.values)) }, scaleBy: 1), trainable, "f32 frozen head, g = 1")
        XCTAssertEqual(try dx({ .bf16(try BF16Matrix(rounding: $0)) }, scaleBy: 1), trainable, "BF16 head, g = 1")
        let scaled = try dx({ .f32($0) }, scaleBy: 0.3), frozenScaled = try dx({ .f32(Tensor(shape: [v, c], values: $0.values)) }, scaleBy: 0.3)
        for (a, b) in zip(scaled, frozenScaled) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(a))) }
        XCTAssertGreaterThan(trainable.map(abs).max() ?? 0, 1e-3, "gradient must not be trivially zero")
    }

    func testAllIgnoredGivesZeroAndBadTargetsThrow() throws {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let w = Tensor.parameter(shape: [4, 3], values: (0..<12).map { Float($0) / 10 })
        XCTAssertEqual(try linearCrossEntropy(x, weight: w, targets: [-100, -100]).item, 0)
        XCTAssertThrowsError(try linearCrossEntropy(x, weight: w, targets: [4, 0]))
        XCTAssertThrowsError(try linearCrossEntropy(x, weight: w, targets: [0]))
    }
}
