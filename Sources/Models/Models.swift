/// Models: safetensors, config.json, decoder-only transformers, generation (issue 3).
public enum ModelsModule {}
