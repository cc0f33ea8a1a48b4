import Foundation

/// The weights of a Hugging Face model folder: `model.safetensors`, or the shards listed by
/// `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor: shard file}}`).
/// Like transformers, a single `model.safetensors` wins over an index when both exist.
///
/// ```swift
/// let ckpt = try Checkpoint(folder: "/models/Qwen2.5-0.5B")
/// let emb = try ckpt.floats("model.embed_tokens.weight")
/// ```
public final class Checkpoint {
    public static let singleFileName = "model.safetensors"
    public static let indexFileName = "model.safetensors.index.json"

    public let folder: String
    /// Every tensor name → the file that holds it.
    public let files: [String: SafeTensorsFile]
    /// All tensor names, sorted.
    public var names: [String] { files.keys.sorted() }

    public init(folder: String) throws {
        self.folder = folder
        let single = (folder as NSString).appendingPathComponent(Self.singleFileName)
        let index = (folder as NSString).appendingPathComponent(Self.indexFileName)
        let fm = FileManager.default
        if fm.fileExists(atPath: single) {
            let f = try SafeTensorsFile(path: single)
            var map: [String: SafeTensorsFile] = [:]
            for n in f.names { map[n] = f }
            files = map
        } else if fm.fileExists(atPath: index) {
            files = try Self.loadIndex(folder: folder, indexPath: index)
        } else {
            throw ModelsError.io(path: folder, detail: "no \(Self.singleFileName) or \(Self.indexFileName) in this folder; "
                + "point at a Hugging Face model folder with safetensors weights")
        }
    }

    private static func loadIndex(folder: String, indexPath: String) throws -> [String: SafeTensorsFile] {
        let json = try ModelsError.parseJSON(MappedFile.contents(of: indexPath, maxBytes: 256 << 20, what: "shard index"), path: indexPath)
        guard let map = json.objectValue?["weight_map"]?.objectValue else {
            throw ModelsError.malformedIndex(path: indexPath, detail: "missing \"weight_map\" object")
        }
        var shards: [String: SafeTensorsFile] = [:]
        var out: [String: SafeTensorsFile] = [:]
        for (name, value) in map.entries {
            guard let file = value.stringValue else {
                throw ModelsError.malformedIndex(path: indexPath, detail: "weight_map[\"\(name)\"] is \(value.typeName), not a file name")
            }
            guard !file.isEmpty, !file.contains("/"), !file.contains("\\"), file != ".", file != ".." else {
                throw ModelsError.malformedIndex(path: indexPath, detail: "weight_map[\"\(name)\"] = \"\(file)\" is not a plain file name in the model folder")
            }
            let shard: SafeTensorsFile
            if let s = shards[file] {
                shard = s
            } else {
                shard = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent(file))
                shards[file] = shard
            }
            guard shard.tensors[name] != nil else {
                throw ModelsError.malformedIndex(path: indexPath, detail: "weight_map says \"\(name)\" is in \(file), but that file has no such tensor")
            }
            out[name] = shard
        }
        return out
    }

    public func file(for name: String) throws -> SafeTensorsFile {
        guard let f = files[name] else { throw ModelsError.missingTensor(name: name, path: folder) }
        return f
    }

    public func info(_ name: String) throws -> TensorInfo { try file(for: name).info(name) }

    public func floats(_ name: String) throws -> [Float] { try file(for: name).floats(name) }

    public func read(_ name: String, into dest: UnsafeMutableBufferPointer<Float>, release: Bool = false) throws {
        try file(for: name).read(name, into: dest, release: release)
    }

    public func readBF16(_ name: String, into dest: UnsafeMutableBufferPointer<UInt16>, release: Bool = false) throws {
        try file(for: name).readBF16(name, into: dest, release: release)
    }
}
