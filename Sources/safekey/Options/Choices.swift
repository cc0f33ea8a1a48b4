import ArgumentParser
import Foundation
import Models
import SafeKey
import SafetyEval
import Tensor
import Serve

// The closed sets of values that flags take. Each is an `ExpressibleByArgument` enum, so
// argument-parser rejects any other value (exit status 64, naming the flag and the choices) and
// `--help` lists them; commands never compare option strings by hand.

/// `eval --judge`: the safety judges and the general-ability judges.
enum JudgeChoice: String, CaseIterable, ExpressibleByArgument {
    case refusal, rubric
    case llamaGuard = "llama-guard"
    case math, choice, code

    /// Case-insensitive, as the flag always was (`--judge Refusal`).
    init?(argument: String) { self.init(rawValue: argument.lowercased()) }

    /// The general-ability judges (``AbilityJudgeOptions``).
    var isAbility: Bool { self == .math || self == .choice || self == .code }

    /// The part judged without `--part`: the answer for refusal and the ability judges, the whole
    /// response otherwise (as the reference's `eval.py`).
    var defaultPart: ResponsePart { self == .refusal || isAbility ? .answer : .response }
}

/// `merge --dtype`, `train --save-dtype`: the dtype of the saved matrices.
enum SaveDType: String, CaseIterable, ExpressibleByArgument {
    case bf16, f32
    var dtype: DType { self == .bf16 ? .bf16 : .f32 }
}

/// `annotate --method`: how U and K are found.
enum AnnotateMethod: String, CaseIterable, ExpressibleByArgument {
    /// The rules (instant).
    case rules
    /// An OpenAI-compatible endpoint picks the key sentence.
    case api
    /// A local model folder scores the candidate sentences.
    case model
}

/// The SafeKey objectives of `train --objectives`, a comma-separated subset of `sft,qmm,dpsh`.
enum Objective: String, CaseIterable {
    case sft, qmm, dpsh
}

/// A comma-separated set of ``Objective``s (`sft,qmm,dpsh`); written back in that order.
struct ObjectiveSet: ExpressibleByArgument, CustomStringConvertible, Equatable {
    let members: Set<Objective>
    static let all = ObjectiveSet(members: Set(Objective.allCases))

    init(members: Set<Objective>) { self.members = members }

    init?(argument: String) {
        var m = Set<Objective>()
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let o = Objective(rawValue: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            m.insert(o)
        }
        members = m
    }

    static var allValueStrings: [String] { Objective.allCases.map(\.rawValue) }
    var defaultValueDescription: String { description }
    var description: String { Objective.allCases.filter(members.contains).map(\.rawValue).joined(separator: ",") }
    func contains(_ o: Objective) -> Bool { members.contains(o) }
}

/// AdamW's `(β1, β2)` as `--betas B1,B2`.
struct Betas: ExpressibleByArgument, CustomStringConvertible {
    let beta1: Float, beta2: Float
    init(_ beta1: Float, _ beta2: Float) { (self.beta1, self.beta2) = (beta1, beta2) }
    init?(argument: String) {
        let b = argument.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard b.count == 2, let b1 = b[0], let b2 = b[1] else { return nil }
        self.init(b1, b2)
    }
    var defaultValueDescription: String { description }
    var description: String { "\(beta1),\(beta2)" }
}

/// `--weights`, `--base-weights` (`generate`, `analyze`, `serve`, `train`, `bench …`).
extension WeightStorage: ExpressibleByArgument {}
/// `export --type`.
extension GGUFExportType: ExpressibleByArgument {}
/// `serve|chat|bench serve --reasoning-parser`.
extension ReasoningParserChoice: ExpressibleByArgument {}
/// `eval --part`.
extension ResponsePart: ExpressibleByArgument {}
/// `eval --rubric-mode`.
extension RubricMode: ExpressibleByArgument {}
/// `generate --multi-turn`.
extension MultiTurnMode: ExpressibleByArgument {}
/// `annotate --segmenter`.
extension SentenceSegmenter.Mode: ExpressibleByArgument {}

/// `bench train|generate|memory --shape`: a name of ``BenchShape/all``.
extension BenchShape: ExpressibleByArgument {
    init?(argument: String) {
        guard let s = BenchShape.named(argument) else { return nil }
        self = s
    }
    static var allValueStrings: [String] { all.map(\.name) }
    var defaultValueDescription: String { name }
}

/// A comma-separated list flag (`--ids 3,17,250`, `--ks 5,10,20`, `--sizes-mb 1,16,256`,
/// `--lora-targets q_proj,v_proj`): argument-parser parses it (an empty list or an entry that is
/// not an `Element` is refused with exit status 64), commands range-check the values.
struct CommaList<Element: LosslessStringConvertible>: ExpressibleByArgument, CustomStringConvertible {
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        var out: [Element] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Element(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
        values = out
    }

    var description: String { values.map(\.description).joined(separator: ",") }
    var defaultValueDescription: String { description }
}

/// `train --base-matmul`, `bench train|memory --base-matmul`: the arithmetic of the products
/// against a frozen BF16 base (LoRA with `--base-weights bf16`).
enum BaseMatmul: String, CaseIterable, ExpressibleByArgument {
    /// CBF16's AVX512-BF16 kernel: activations rounded to bf16 too, as a PyTorch bf16 matmul.
    case bf16
    /// f32 products over the widened bf16 weights: what an f32 model with bf16-rounded weights computes.
    case f32

    static let help: ArgumentHelp = """
        With LoRA on a bf16 base: bf16 (AVX512-BF16 kernel, activations rounded to bf16 as in PyTorch's bf16 \
        matmul; the default where the CPU has AVX512-BF16) or f32 (exact f32 arithmetic over the bf16 weights, \
        as the parity fixtures compute; the default elsewhere). SAFEKEY_BF16_MATMUL=f32|bf16 sets the default.
        """

    /// The default without `--base-matmul`: `SAFEKEY_BF16_MATMUL` (`f32` or `bf16`) where set, else bf16
    /// on a CPU with AVX512-BF16 and f32 on one without (a bf16 request there also falls back to f32).
    static var defaultChoice: BaseMatmul {
        let asked = ProcessInfo.processInfo.environment["SAFEKEY_BF16_MATMUL"].flatMap(BaseMatmul.init(rawValue:))
        return BF16Gemm.avx512Available && asked != .f32 ? .bf16 : .f32
    }

    /// Sets ``BF16Gemm/isEnabled`` for a run whose base is `storage`: the chosen arithmetic, or without a
    /// choice ``defaultChoice`` (bf16 products where the CPU has the kernel: ~1.6× PyTorch + PEFT on
    /// qwen05b, and r1-qwen-1.5b at T = 4096 peaks within 70 MiB of f32 products — README "LoRA").
    /// Throws when bf16 is asked for on a CPU without AVX512-BF16. Returns the arithmetic in use (nil:
    /// no BF16 base).
    @discardableResult
    static func apply(_ choice: BaseMatmul?, lora: Bool, storage: WeightStorage) throws -> BaseMatmul? {
        guard lora, storage == .bf16 else { return nil }
        if choice == .bf16 && !BF16Gemm.avx512Available {
            throw ValidationError("--base-matmul bf16 needs a CPU with AVX512-BF16 (avx512_bf16 in /proc/cpuinfo); this one lacks it — use --base-matmul f32")
        }
        let use = choice ?? defaultChoice
        BF16Gemm.isEnabled = use == .bf16
        return use
    }
}
