import Foundation

/// Errors of the Models module. Each case says what was wrong, where (file, tensor, key, byte
/// offset) and, where it helps, what to do about it. Bad checkpoints and configs surface as these
/// errors; they never crash the process.
public enum ModelsError: Error, CustomStringConvertible, Equatable {
    /// A file could not be opened, mapped, read or written.
    case io(path: String, detail: String)
    /// A safetensors file whose header or layout is invalid (`tensor` is nil for file-level faults).
    case malformedSafeTensors(path: String, tensor: String?, detail: String)
    /// A tensor name that the checkpoint does not contain.
    case missingTensor(name: String, path: String)
    /// A tensor stored in a dtype that cannot be read the way it was asked for.
    case unsupportedDType(path: String, tensor: String, dtype: String, detail: String)
    /// `model.safetensors.index.json` that is not a valid shard index.
    case malformedIndex(path: String, detail: String)
    /// Invalid JSON text (`offset` is the byte where parsing stopped).
    case invalidJSON(path: String, offset: Int, detail: String)
    /// A `config.json` key that is missing, has the wrong type, or an invalid value.
    case invalidConfig(path: String, key: String, detail: String)
    /// A valid `config.json` describing something this implementation does not support.
    case unsupportedConfig(path: String, key: String, detail: String)
    /// Checkpoint tensors and model parameters do not correspond one to one.
    case weightMismatch(path: String, unused: [String], missing: [String], wrongShape: [String])
    /// An argument (token id, length, option) outside its valid range.
    case invalidArgument(String)
    /// An operation would need more memory than this process may take (`MemoryBudget`).
    case insufficientMemory(what: String, needed: Int, available: Int, advice: String)
    /// A weight holds NaN or ±infinity (`index` is the first such element, row-major).
    case nonFiniteWeight(path: String, tensor: String, index: Int, value: Float)
    /// A GGUF file whose header, metadata or tensor table is invalid (`offset`: the byte where the fault was found).
    case malformedGGUF(path: String, offset: Int, detail: String)

    public var description: String {
        switch self {
        case let .io(path, detail):
            return "\(path): \(detail)"
        case let .malformedSafeTensors(path, tensor, detail):
            let what = tensor.map { " tensor \"\($0)\":" } ?? ""
            return "\(path): malformed safetensors file:\(what) \(detail). "
                + "The file is damaged or was not written by a safetensors writer; re-download or re-save it."
        case let .missingTensor(name, path):
            return "\(path): no tensor named \"\(name)\""
        case let .unsupportedDType(path, tensor, dtype, detail):
            return "\(path): tensor \"\(tensor)\" has dtype \(dtype): \(detail)"
        case let .malformedIndex(path, detail):
            return "\(path): malformed shard index: \(detail)"
        case let .invalidJSON(path, offset, detail):
            return "\(path): invalid JSON at byte \(offset): \(detail)"
        case let .invalidConfig(path, key, detail):
            return "\(path): key \"\(key)\": \(detail)"
        case let .unsupportedConfig(path, key, detail):
            return "\(path): key \"\(key)\": unsupported: \(detail)"
        case let .weightMismatch(path, unused, missing, wrongShape):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("parameters with no checkpoint tensor: \(Self.list(missing))") }
            if !unused.isEmpty { parts.append("checkpoint tensors the model does not use: \(Self.list(unused))") }
            if !wrongShape.isEmpty { parts.append("shape mismatches: \(Self.list(wrongShape))") }
            return "\(path): checkpoint does not match the model config: " + parts.joined(separator: "; ")
                + ". Check that config.json belongs to these weights."
        case let .invalidArgument(detail):
            return detail
        case let .insufficientMemory(what, needed, available, advice):
            return "\(what) would need \(Self.gigabytes(needed)) of memory, but only \(Self.gigabytes(available)) are available "
                + "(MemAvailable in /proc/meminfo and the cgroup's memory.max). Nothing was allocated. To fix: \(advice) "
                + "(SAFEKEY_MEMORY_CHECK=off skips this check)."
        case let .nonFiniteWeight(path, tensor, index, value):
            return "\(path): tensor \"\(tensor)\" holds a non-finite value (\(value) at element \(index)). The weights are damaged "
                + "or diverged in training; re-download or re-train them, or pass --allow-nonfinite to load them anyway."
        case let .malformedGGUF(path, offset, detail):
            return "\(path): malformed GGUF file at byte \(offset): \(detail). "
                + "The file is damaged or was not written by a GGUF writer; re-download or re-convert it."
        }
    }

    /// `bytes` as "12.3 GB" (decimal).
    static func gigabytes(_ bytes: Int) -> String {
        bytes >= 10_000_000 ? String(format: "%.2f GB", Double(bytes) / 1e9) : "\(bytes) bytes"
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(12).joined(separator: ", ")
        return names.count > 12 ? "\(shown), … (\(names.count) in all)" : shown
    }
}
