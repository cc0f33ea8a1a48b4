import Foundation

/// Where a model's weights come from, by Hugging Face tensor name: a safetensors `Checkpoint`
/// or a GGUF file (`GGUFWeights`, dequantised on read). `DecoderModel.load(from:)` takes either.
public protocol WeightSource: AnyObject {
    /// The folder or file the weights come from (for messages).
    var sourcePath: String { get }
    /// Every tensor name, sorted.
    var names: [String] { get }
    /// Row-major shape of tensor `name` and whether it holds floating-point values.
    func weightShape(_ name: String) throws -> (shape: [Int], isFloatingPoint: Bool)
    /// Tensor `name` as f32 into `dest` (exactly its element count); `release` drops its file pages afterwards.
    func read(_ name: String, into dest: UnsafeMutableBufferPointer<Float>, release: Bool) throws
    /// Tensor `name` as BF16 bits into `dest` (BF16 kept exactly, others rounded to nearest even).
    func readBF16(_ name: String, into dest: UnsafeMutableBufferPointer<UInt16>, release: Bool) throws
    /// Tensor `name` as f32 values.
    func floats(_ name: String) throws -> [Float]
}

extension Checkpoint: WeightSource {
    public var sourcePath: String { folder }

    public func weightShape(_ name: String) throws -> (shape: [Int], isFloatingPoint: Bool) {
        let t = try info(name)
        return (t.shape, t.dtype.isFloatingPoint)
    }
}

/// Opens what a `--model` argument names: a Hugging Face folder (`config.json` + safetensors) or a
/// `.gguf` file (config from its metadata).
public enum ModelFiles {
    /// Whether `path` names a GGUF file (by its `.gguf` extension, any case).
    public static func isGGUF(_ path: String) -> Bool { path.lowercased().hasSuffix(".gguf") }

    /// The config and weights at `path`.
    public static func open(_ path: String) throws -> (config: ModelConfig, weights: WeightSource) {
        if isGGUF(path) {
            let weights = try GGUFWeights(path: path)
            return (weights.config, weights)
        }
        let config = try ModelConfig(contentsOf: (path as NSString).appendingPathComponent("config.json"))
        return (config, try Checkpoint(folder: path))
    }
}
