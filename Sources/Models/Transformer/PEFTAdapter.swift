import Foundation
import Tensor

/// LoRA on a `DecoderModel`: attaching fresh adapters to a frozen base, and reading, writing and
/// merging adapters in PEFT's format (`adapter_config.json` + `adapter_model.safetensors` with keys
/// `base_model.model.<module>.lora_A.weight`), so `PeftModel.from_pretrained(base, DIR)` loads what
/// `saveAdapter` writes and `loadAdapter` reads what PEFT saves.
///
/// ```swift
/// let model = try DecoderModel(folder: base, weightStorage: .bf16)
/// try model.attachLoRA(LoRAConfig(rank: 16), seed: 2002)     // base frozen; parameters = adapters
/// ... train ...
/// try model.saveAdapter(to: "/tmp/adapter")
/// ```
extension DecoderModel {
    /// PEFT's prefix of adapter keys for a causal LM (`PeftModelForCausalLM.base_model.model`).
    public static let peftKeyPrefix = "base_model.model."

    /// The adapters in checkpoint order, with the slots they wrap.
    public var adapters: [(slot: WeightSlot, adapter: LoRAAdapter)] {
        slots.compactMap { s in s.adapter.map { (s, $0) } }
    }

    /// Loads a model folder (see `init(folder:weightStorage:)`) and, when `adapter` is given, the
    /// PEFT adapter folder on top of it (`loadAdapter`) — the one way commands open a model with
    /// `--adapter`.
    public convenience init(folder: String, weightStorage: WeightStorage = .f32, adapter: String?, allowNonFinite: Bool = false) throws {
        try self.init(folder: folder, weightStorage: weightStorage, allowNonFinite: allowNonFinite)
        if let adapter { try loadAdapter(folder: adapter) }
    }

    /// Freezes every base weight (no gradient, no optimizer state) and puts a fresh adapter with
    /// PEFT's initialisation on each targeted projection of every layer. Afterwards `parameters`
    /// holds the adapters' A and B only.
    public func attachLoRA(_ config: LoRAConfig, seed: UInt64) throws {
        try config.validate()
        guard adapters.isEmpty else { throw ModelsError.invalidArgument("attachLoRA: the model already carries LoRA adapters") }
        freezeBase()
        var rng = RandomSource(seed: seed)
        for layer in layers {
            for (slot, module) in zip(layer.matrices, LoRAConfig.allProjections) where config.targets.contains(module) {
                slot.attach(LoRAAdapter(for: slot, config: config, seed: rng.next()))
            }
        }
        loraConfig = config
    }

    /// Stops gradients for every base weight (norms and biases included).
    public func freezeBase() { for s in slots { s.setTrainable(false) } }

    /// Reads a PEFT adapter folder, attaches its adapters (base frozen) and fills them. Strict:
    /// every adapter must find its A and B of the right shape, and every tensor of the file must be
    /// used; offenders are listed in one `weightMismatch` error.
    public func loadAdapter(folder: String) throws {
        let configPath = (folder as NSString).appendingPathComponent("adapter_config.json")
        guard let bytes = FileManager.default.contents(atPath: configPath) else {
            throw ModelsError.io(path: configPath, detail: "cannot read the adapter config; is \(folder) a PEFT adapter folder?")
        }
        guard let json = try JSONParser.parse(Array(bytes), path: configPath).objectValue else {
            throw ModelsError.invalidConfig(path: configPath, key: "", detail: "not a JSON object")
        }
        let config = try Self.loraConfig(json, path: configPath)
        try attachLoRA(config, seed: 0)
        let file = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent("adapter_model.safetensors"))
        var missing: [String] = [], wrongShape: [String] = []
        var used = Set<String>()
        for (_, adapter) in adapters {
            for p in [adapter.a, adapter.b] {
                let key = Self.peftKeyPrefix + (p.name ?? "")
                guard let info = file.tensors[key] else { missing.append(key); continue }
                used.insert(key)
                guard info.shape == p.shape else { wrongShape.append("\(key) is \(info.shape) in the file, \(p.shape) in the model"); continue }
                try file.read(key, into: UnsafeMutableBufferPointer(start: p.data, count: p.count))
            }
        }
        let unused = file.names.filter { !used.contains($0) }
        guard missing.isEmpty, unused.isEmpty, wrongShape.isEmpty else {
            throw ModelsError.weightMismatch(path: file.path, unused: unused, missing: missing, wrongShape: wrongShape)
        }
    }

    /// `LoRAConfig` from PEFT's `adapter_config.json` (LoRA without DoRA, rsLoRA, bias or fan-in-fan-out).
    static func loraConfig(_ o: JSONObject, path: String) throws -> LoRAConfig {
        guard o["peft_type"]?.stringValue ?? "LORA" == "LORA" else {
            throw ModelsError.unsupportedConfig(path: path, key: "peft_type", detail: "only LORA adapters are supported")
        }
        for flag in ["use_dora", "use_rslora", "fan_in_fan_out"] where o[flag]?.boolValue == true {
            throw ModelsError.unsupportedConfig(path: path, key: flag, detail: "is true; only plain LoRA is supported")
        }
        if let bias = o["bias"]?.stringValue, bias != "none" {
            throw ModelsError.unsupportedConfig(path: path, key: "bias", detail: "is \"\(bias)\"; only \"none\" is supported")
        }
        guard let r = o["r"]?.intValue else { throw ModelsError.invalidConfig(path: path, key: "r", detail: "missing or not an integer") }
        let alpha = o["lora_alpha"]?.doubleValue.map(Float.init) ?? 8
        let dropout = o["lora_dropout"]?.doubleValue.map(Float.init) ?? 0
        let targets: [String]
        if let list = o["target_modules"]?.arrayValue { targets = list.compactMap(\.stringValue) }
        else if let one = o["target_modules"]?.stringValue { targets = [one] }
        else { throw ModelsError.invalidConfig(path: path, key: "target_modules", detail: "missing (need a list of module names)") }
        let config = LoRAConfig(rank: r, alpha: alpha, dropout: dropout, targets: LoRAConfig.allProjections.filter(targets.contains))
        guard Set(targets).isSubset(of: LoRAConfig.allProjections) else {
            throw ModelsError.unsupportedConfig(path: path, key: "target_modules", detail: "\(targets) includes modules other than \(LoRAConfig.allProjections)")
        }
        try config.validate()
        return config
    }

    /// Writes `adapter_config.json` and `adapter_model.safetensors` (F32, PEFT key names) into
    /// `folder`, atomically. `baseModel` is recorded as `base_model_name_or_path`.
    public func saveAdapter(to folder: String, baseModel: String? = nil) throws {
        guard let config = loraConfig, !adapters.isEmpty else { throw ModelsError.invalidArgument("saveAdapter: the model carries no LoRA adapters") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let entries = adapters.flatMap { [$0.adapter.a, $0.adapter.b] }.map {
            SafeTensorsEntry(name: Self.peftKeyPrefix + ($0.name ?? ""), shape: $0.shape, pointer: UnsafePointer($0.data), owner: $0)
        }
        try SafeTensorsWriter.write(entries, to: (folder as NSString).appendingPathComponent("adapter_model.safetensors"), dtype: .f32)
        let json: JSONValue = .object(JSONObject([
            ("alpha_pattern", .object(JSONObject())), ("base_model_name_or_path", baseModel.map(JSONValue.string) ?? .null),
            ("bias", .string("none")), ("fan_in_fan_out", .bool(false)), ("inference_mode", .bool(true)),
            ("init_lora_weights", .bool(true)), ("lora_alpha", .double(Double(config.alpha))),
            ("lora_dropout", .double(Double(config.dropout))), ("modules_to_save", .null), ("peft_type", .string("LORA")),
            ("r", .int(config.rank)), ("rank_pattern", .object(JSONObject())),
            ("target_modules", .array(config.targets.map(JSONValue.string))), ("task_type", .string("CAUSAL_LM")),
            ("use_dora", .bool(false)), ("use_rslora", .bool(false)),
        ]))
        let text = Array(JSONWriter.pretty(json).utf8)
        try SafeTensorsWriter.atomicWrite(path: (folder as NSString).appendingPathComponent("adapter_config.json")) { try $0.write(text) }
    }

    /// Folds every adapter into its f32 base weight (`W += s·B·A`, PEFT `merge_and_unload`) and
    /// removes the adapters; the base becomes trainable again. Needs f32 storage.
    public func mergeAdapters() throws {
        guard weightStorage == .f32 else {
            throw ModelsError.invalidArgument("mergeAdapters: the base is stored as BF16; load it with weightStorage: .f32 to merge")
        }
        for (slot, adapter) in adapters {
            guard let w = slot.tensor else { continue }
            let out = slot.shape[0], k = slot.shape[1]
            sgemm(m: out, n: k, k: adapter.rank, alpha: adapter.scale, a: adapter.b.data, lda: adapter.rank,
                  b: adapter.a.data, ldb: k, beta: 1, c: w.data, ldc: k)
            slot.attach(nil)
        }
        for s in slots { s.setTrainable(true) }
        loraConfig = nil
    }
}
