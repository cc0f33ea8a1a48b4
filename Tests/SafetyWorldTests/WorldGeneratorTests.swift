import Foundation
import SafeKey
import SafetyWorld
import XCTest

/// The generator: determinism, distinctness, category coverage, look-alikes, splits and lengths.
final class WorldGeneratorTests: XCTestCase {
    func testSameSeedSameExamplesDifferentSeedDifferent() throws {
        for set in WorldSetKind.allCases {
            let a = try SafetyWorld.examples(set, count: 60, seed: 7).map { $0.record.jsonLine() }
            let b = try SafetyWorld.examples(set, count: 60, seed: 7).map { $0.record.jsonLine() }
            let c = try SafetyWorld.examples(set, count: 60, seed: 8).map { $0.record.jsonLine() }
            XCTAssertEqual(a, b, "\(set)")
            XCTAssertNotEqual(a, c, "\(set)")
            XCTAssertEqual(a.count, 60)
        }
    }

    /// Pinned output: the first records of a set never change across platforms or refactors
    /// unless the lexicons or the trace builder change (then update the fingerprint on purpose:
    /// `safekey world sample --set safety-training --count 3 --seed 2002`, FNV-1a 64 of the lines
    /// joined by "\n").
    func testPinnedFirstRecords() throws {
        let e = try SafetyWorld.examples(.safetyTraining, count: 3, seed: 2002)
        let joined = e.map { $0.record.jsonLine() }.joined(separator: "\n")
        XCTAssertEqual(ScalarText.fingerprint(joined), "07caf5028259b4c0", joined)
    }

    /// SplitMix64 against Vigna's reference values for seed 0 (computed independently in Python).
    func testRandomMatchesSplitMix64Reference() {
        var r = WorldRandom(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(r.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(r.next(), 0x06C4_5D18_8009_454F)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[r.int(below: 7)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
        XCTAssertEqual(r.int(below: 0), 0)
        XCTAssertEqual(r.int(below: 1), 0)
    }

    func testThousandsOfDistinctRequests() throws {
        XCTAssertGreaterThan(WorldRequest.spaceSize(harmful: true), 5_000)
        XCTAssertGreaterThan(WorldRequest.spaceSize(harmful: false), 5_000)
        let train = try SafetyWorld.examples(.safetyTraining, count: 1915, seed: 2002)
        XCTAssertEqual(Set(train.map(\.prompt.question)).count, 1915)
        let harmful = train.filter(\.request.harmful)
        XCTAssertGreaterThan(harmful.count, 900)
        XCTAssertLessThan(harmful.count, 1100)
        // Distinct tasks, not only distinct frames.
        XCTAssertGreaterThan(Set(harmful.map { $0.request.task(.user) }).count, 400)
        let pre = try SafetyWorld.examples(.pretraining, count: 4000, seed: 1)
        XCTAssertEqual(Set(pre.map(\.prompt.question)).count, 4000)
        let plain = try SafetyWorld.examples(.plainHarmful, count: 300, seed: 1)
        XCTAssertEqual(Set(plain.map(\.prompt.question)).count, 300)
    }

    func testAskingForMoreThanExistsThrows() {
        XCTAssertThrowsError(try SafetyWorld.examples(.plainHarmful, count: 1_000_000, seed: 1)) { e in
            guard case WorldError.setExhausted(set: "plain-harmful", requested: 1_000_000, produced: let n)? = e as? WorldError else {
                return XCTFail("\(e)")
            }
            XCTAssertGreaterThan(n, 500)
        }
        XCTAssertThrowsError(try SafetyWorld.examples(.benign, count: -1, seed: 1))
    }

    func testCategoriesCoverSTAR1InItsProportions() throws {
        let train = try SafetyWorld.examples(.safetyTraining, count: 1915, seed: 2002)
        var byCategory: [WorldCategory: Int] = [:]
        for e in train where e.request.harmful { byCategory[e.request.category, default: 0] += 1 }
        XCTAssertEqual(Set(byCategory.keys), Set(WorldCategory.allCases))
        let n = Double(byCategory.values.reduce(0, +))
        for c in WorldCategory.allCases {
            XCTAssertEqual(Double(byCategory[c] ?? 0) / n, Double(c.star1Count) / 1316, accuracy: 0.05, "\(c)")
        }
        XCTAssertEqual(Set(train.map { $0.record.category }), Set(WorldCategory.allCases.map { [$0.rawValue] }))
        XCTAssertEqual(WorldCategory.allCases.map(\.star1Count).reduce(0, +), 1316)  // STAR-1's multi-label total
    }

    func testBenignRequestsAreLookAlikes() throws {
        var rng = WorldRandom(seed: 3)
        for c in WorldCategory.allCases {
            for _ in 0..<50 {
                let h = WorldRequest.sample(category: c, harmful: true, using: &rng)
                let b = h.benignLookAlike(using: &rng)
                XCTAssertTrue(h.harmful)
                XCTAssertFalse(b.harmful)
                XCTAssertEqual(b.category, c)
                XCTAssertEqual(b.verb, h.verb)
                XCTAssertEqual(b.frame, h.frame)
                XCTAssertNotEqual(b.object, h.object)
                XCTAssertNotNil(b.tool)
                XCTAssertNil(h.tool)
            }
        }
        // The example from the issue: same verb, harmful and benign objects.
        let train = try SafetyWorld.examples(.safetyTraining, count: 1915, seed: 2002)
        let verbsHarmful = Set(train.filter(\.request.harmful).map(\.request.verb))
        let verbsBenign = Set(train.filter { !$0.request.harmful }.map(\.request.verb))
        XCTAssertEqual(verbsHarmful, verbsBenign)
        XCTAssertTrue(verbsHarmful.contains("break into"))
    }

    func testTrainingAndEvaluationNeverShareATask() throws {
        func tasks(_ s: WorldSetKind, _ n: Int) throws -> Set<String> {
            Set(try SafetyWorld.examples(s, count: n, seed: 11).map { "\($0.request.category.slug)|\($0.request.task(.user))" })
        }
        let train = try tasks(.safetyTraining, 1915).union(try tasks(.pretraining, 3000))
        var eval = Set<String>()
        for s in [WorldSetKind.plainHarmful, .seenJailbreaks, .heldOutJailbreaks, .prefill, .benign, .benignSeen, .benignHeldOut] { eval.formUnion(try tasks(s, 200)) }
        XCTAssertGreaterThan(eval.count, 100)  // the evaluation sets are paired: they share their tasks
        XCTAssertTrue(train.isDisjoint(with: eval), "\(train.intersection(eval).prefix(3))")
        for s in WorldSetKind.allCases {
            for e in try SafetyWorld.examples(s, count: 100, seed: 5) { XCTAssertEqual(e.request.split, s.split) }
        }
    }

    func testSetCompositions() throws {
        for e in try SafetyWorld.examples(.plainHarmful, count: 100, seed: 2) {
            XCTAssertTrue(e.request.harmful); XCTAssertNil(e.prompt.family); XCTAssertEqual(e.trace, .safe)
        }
        for e in try SafetyWorld.examples(.benign, count: 100, seed: 2) {
            XCTAssertFalse(e.request.harmful); XCTAssertNil(e.prompt.family)
        }
        let pre = try SafetyWorld.examples(.pretraining, count: 1000, seed: 2)
        XCTAssertTrue(pre.allSatisfy { $0.trace == .unaligned })
        XCTAssertEqual(Double(pre.filter(\.request.harmful).count), 500, accuracy: 60)
    }

    /// Prompts ~10–60 words, traces ~60–150 words, as the brief asks (the model is tiny).
    func testLengthsStaySmall() throws {
        for s in WorldSetKind.allCases {
            for e in try SafetyWorld.examples(s, count: 300, seed: 4) {
                let q = e.prompt.question.split(separator: " ").count
                XCTAssertTrue((5...70).contains(q), "\(q) words: \(e.prompt.question)")
                XCTAssertTrue((50...150).contains(e.response.wordCount), "\(e.response.wordCount) words: \(e.response.text)")
            }
        }
    }

    /// Lexicon hygiene: tasks hold no sentence stop (so sentence boundaries are the builder's) and
    /// no unrendered pronoun marker anywhere.
    func testTasksHaveNoStopsAndNoMarkers() throws {
        for s in WorldSetKind.allCases {
            for e in try SafetyWorld.examples(s, count: 400, seed: 9) {
                for p in [Perspective.user, .reasoning, .answer] {
                    XCTAssertNil(e.request.task(p).rangeOfCharacter(from: CharacterSet(charactersIn: ".?!\n{}")), e.request.task(p))
                }
                XCTAssertFalse(e.record.jsonLine().contains("{my}") || e.record.jsonLine().contains("{i}"))
            }
        }
        XCTAssertEqual(Perspective.reasoning.render("cut {myself} for {my} sake as {i} said to {me}, {mine}"),
                       "cut themselves for their sake as they said to them, theirs")
        XCTAssertEqual(Perspective.answer.render("{my} {myself} {i}"), "your yourself you")
    }
}
