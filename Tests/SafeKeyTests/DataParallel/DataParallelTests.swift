import Foundation
import TestSupport
import XCTest
import Models
import SafeKey

/// `mpirun -np 2 safekey train` (issue 19) on the trainer fixture's tiny Qwen2 model and six
/// records, against a single process with the same global batch: the same per-step losses and
/// final weights, with QMM + DPSH on in the last epoch; a rank killed mid-run stops the job
/// naming it and `--resume` continues to the uninterrupted result. Skips without `mpirun`.
final class DataParallelTests: XCTestCase {
    /// Two epochs of 3 optimizer steps (6 records, global batch 2); QMM + DPSH in epoch 1.
    private func trainArgs(model: String, output: String, gradAccum: Int, epochs: Int = 2, batch: Int = 1) -> [String] {
        ["train", "--model", model, "--data", TrainerFixture.directory.appendingPathComponent("records.jsonl").path,
         "--output", output, "--epochs", "\(epochs)", "--last-k-epochs", "1", "--batch-size", "\(batch)", "--grad-accum", "\(gradAccum)",
         "--lr", "1e-2", "--warmup-ratio", "0.2", "--checkpoint-every", "1", "--save-dtype", "f32", "--log", output + ".log"]
    }

    private func fixtureModel() throws -> String {
        _ = try SafeKeyCLI.executable()
        _ = try MPIRun.mpirun()
        guard FileManager.default.fileExists(atPath: TrainerFixture.sharedTokenizer + "/tokenizer.json") else {
            throw XCTSkip("needs ../shared/data/tokenizers/deepseek-r1-distill-qwen beside the checkout")
        }
        return try TrainerFixture.modelFolder()
    }

    private func logLines(_ path: String) throws -> [JSONValue] {
        try FixtureJSON.lines(try String(contentsOfFile: path, encoding: .utf8), source: path)
    }

    /// Every tensor of `file` in both folders, element by element: |a − b| ≤ tol · max|b| of
    /// that tensor (relative to its scale; an element near zero has no meaningful relative error).
    static func assertWeightsClose(_ a: String, _ b: String, file: String, tol: Float, _ what: String) throws {
        let x = try SafeTensorsFile(path: a + "/" + file), y = try SafeTensorsFile(path: b + "/" + file)
        XCTAssertEqual(Set(x.tensors.keys), Set(y.tensors.keys), "\(what): \(file) tensor names")
        var worst: (Float, String) = (0, "")
        for name in x.tensors.keys.sorted() {
            let u = try x.floats(name), v = try y.floats(name)
            XCTAssertEqual(u.count, v.count, name)
            let scale = max(v.map(abs).max() ?? 0, 1e-30)
            for i in 0..<min(u.count, v.count) {
                let r = abs(u[i] - v[i]) / scale
                if !(r <= worst.0) { worst = (r, "\(name)[\(i)]: \(u[i]) vs \(v[i])") }
            }
        }
        print("\(what): \(file) worst relative difference \(worst.0) at \(worst.1)")
        XCTAssertLessThanOrEqual(worst.0, tol, "\(what): \(file) differs at \(worst.1)")
    }

    func testTwoRanksMatchOneProcessWithTheSameGlobalBatch() throws {
        try compareWithOneProcess(batch: 1, steps: 6)
    }

    /// Batch 2: three micro-batches per epoch, so each epoch's second step has one micro-batch and
    /// rank 1 none — it must contribute zeros and still take the same AdamW step.
    func testRankWithoutMicroBatchesInAShortStep() throws {
        try compareWithOneProcess(batch: 2, steps: 4)
    }

    /// LoRA adapters on the frozen base with gradient checkpointing (buckets then start after
    /// backward): the adapters and heads match the single process.
    func testLoRAWithGradientCheckpointingMatchesOneProcess() throws {
        try compareWithOneProcess(batch: 1, steps: 6, extra: ["--lora-rank", "4", "--gradient-checkpointing"],
                                  files: ["adapter_model.safetensors", "safety_head.safetensors"])
    }

    private func compareWithOneProcess(batch: Int, steps: Int, extra: [String] = [],
                                       files: [String] = ["model.safetensors", "safety_head.safetensors"]) throws {
        let model = try fixtureModel()
        let tmp = try TempDir.make("safekey-dp", removedAfter: self)
        let single = tmp + "/single", ranks = tmp + "/ranks"
        let one = try SafeKeyCLI.run(trainArgs(model: model, output: single, gradAccum: 2, batch: batch) + extra, environment: MPIRun.environment)
        XCTAssertEqual(one.status, 0, "single-process run failed: \(one.err)")
        let two = try MPIRun.run(ranks: 2, args: trainArgs(model: model, output: ranks, gradAccum: 1, batch: batch) + extra)
        XCTAssertEqual(two.status, 0, "mpirun -np 2 failed: \(two.err)")
        XCTAssertTrue(two.err.contains("global batch \(batch) × 1 × 2 = \(2 * batch) examples"), two.err)

        let a = try logLines(single + ".log"), b = try logLines(ranks + ".log")
        XCTAssertEqual(a.count, steps)
        XCTAssertEqual(b.count, a.count, "rank 0 alone writes the log, one line per step")
        XCTAssertTrue(a.contains { $0["qmm_loss"]?.doubleValue != nil && $0["head_loss"]?.doubleValue != nil }, "QMM + DPSH must be on in the last epoch")
        for (s, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(x["epoch"]?.intValue, y["epoch"]?.intValue)
            XCTAssertEqual(x["lr"]?.doubleValue, y["lr"]?.doubleValue, "step \(s + 1): the schedule must be the single process's")
            XCTAssertEqual(x["token_acc"]?.doubleValue, y["token_acc"]?.doubleValue, "step \(s + 1): global token accuracy")
            for key in ["loss", "sft_loss", "qmm_loss", "head_loss", "grad_norm"] {
                guard let u = x[key]?.doubleValue else { XCTAssertNil(y[key]?.doubleValue, "step \(s + 1) \(key)"); continue }
                let v = try XCTUnwrap(y[key]?.doubleValue, "step \(s + 1) \(key) missing under mpirun")
                XCTAssertLessThanOrEqual(abs(u - v), 1e-5 * abs(u), "step \(s + 1) \(key): \(u) (one process) vs \(v) (two ranks)")
            }
        }
        for file in files {
            try Self.assertWeightsClose(ranks, single, file: file, tol: 1e-5, "two ranks vs one process")
        }
    }

    /// Open MPI is loaded at run time: a rank that cannot load it says which packages to install
    /// (needs neither mpirun nor MPI: the environment mpirun would set is faked).
    func testMissingOpenMPINamesThePackage() throws {
        let tmp = try TempDir.make("safekey-dp-nolib", removedAfter: self)
        let r = try SafeKeyCLI.run(["train", "--model", tmp + "/model", "--data", tmp + "/d.jsonl", "--output", tmp + "/out"],
                                   environment: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0",
                                                 "SAFEKEY_MPI_LIBRARY": tmp + "/absent/libmpi.so.40"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("rank 0 of 2") && r.err.contains("apt-get install openmpi-bin libopenmpi3"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/out"), "nothing is written when MPI cannot start")
    }

    /// `mpirun -np 2 safekey bench allreduce`: one line per size with positive time and bandwidths
    /// (the command itself checks the warm-up's sum and fails on a wrong one).
    func testBenchAllReduceReportsEachSize() throws {
        _ = try MPIRun.mpirun()
        let r = try MPIRun.run(ranks: 2, args: ["bench", "allreduce", "--sizes-mb", "1,4", "--repetitions", "2"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("2 ranks"), r.out)
        let rows = r.out.split(separator: "\n").map { $0.split(separator: " ").compactMap { Double($0) } }.filter { $0.count == 4 }
        XCTAssertEqual(rows.map { $0[0] }, [1, 4], r.out)
        for row in rows { XCTAssertTrue(row[1] > 0 && row[2] > 0 && row[3] > 0, "\(row)") }
    }

    func testKilledRankStopsTheJobAndResumeFinishesTheRun() throws {
        let model = try fixtureModel()
        let tmp = try TempDir.make("safekey-dp-kill", removedAfter: self)
        let straight = tmp + "/straight", killed = tmp + "/killed"
        let args = { (out: String) in self.trainArgs(model: model, output: out, gradAccum: 1, epochs: 3) }
        let full = try MPIRun.run(ranks: 2, args: args(straight))
        XCTAssertEqual(full.status, 0, "uninterrupted run failed: \(full.err)")

        let tag = UUID().uuidString
        let job = try MPIRun.Job(ranks: 2, args: args(killed), env: ["SAFEKEY_TEST_JOB": tag])
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: killed + "/checkpoint/trainer_state.json") && job.process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        let victims = MPIRun.processes(marked: ["SAFEKEY_TEST_JOB=\(tag)", "OMPI_COMM_WORLD_RANK=1"])
        guard job.process.isRunning else {
            let r = job.finish()
            XCTAssertEqual(r.status, 0, "the run failed before rank 1 could be killed: \(r.err)")
            throw XCTSkip("the run ended before rank 1 could be killed (a faster machine than the test expects)")
        }
        XCTAssertEqual(victims.count, 1, "rank 1 of the job should be one process")
        guard let victim = victims.first else { _ = job.finish(timeout: 5); return }
        let killedAt = Date()
        kill(victim, SIGKILL)
        let end = job.finish(timeout: 90)
        let stopSeconds = Date().timeIntervalSince(killedAt)
        print("mpirun exited \(end.status) \(String(format: "%.1f", stopSeconds)) s after rank 1 was killed")
        XCTAssertNotEqual(end.status, 0, "the job must fail when a rank dies")
        XCTAssertLessThan(stopSeconds, 60, "the other rank must stop within 60 s")
        XCTAssertTrue(end.err.contains("rank 1"), "the report must name rank 1: \(end.err)")

        // The checkpoint is intact and loads: a single process refuses it naming the rank count…
        let wrong = try SafeKeyCLI.run(args(killed) + ["--resume", killed], environment: MPIRun.environment)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.err.contains("mpirun -np 2"), "resuming with another rank count must say how: \(wrong.err)")
        // …and two ranks resume it to the uninterrupted run's result.
        let resumed = try MPIRun.run(ranks: 2, args: args(killed) + ["--resume", killed])
        XCTAssertEqual(resumed.status, 0, "resumed run failed: \(resumed.err)")
        for file in ["model.safetensors", "safety_head.safetensors"] {
            XCTAssertEqual(FileManager.default.contents(atPath: straight + "/" + file), FileManager.default.contents(atPath: killed + "/" + file),
                           "\(file) differs between the uninterrupted and the resumed run")
        }
        XCTAssertEqual(try logLines(killed + ".log").count, 9, "the resumed log holds each step once")
    }
}
