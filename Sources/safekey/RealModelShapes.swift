/// The architectures of the paper's base models (DeepSeek-R1-Distill-Qwen-1.5B/-7B and
/// -Llama-8B), as their `config.json` files give them — for benchmarks on random weights of the
/// real sizes without downloading anything (`bench train|memory --shape r1-qwen-7b`).
enum RealModelShapes {
    static let configs: [(name: String, json: String)] = [
        ("r1-qwen-1.5b", """
        {"model_type": "qwen2", "hidden_size": 1536, "intermediate_size": 8960, "num_hidden_layers": 28, \
        "num_attention_heads": 12, "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 131072, \
        "rms_norm_eps": 1e-06, "rope_theta": 10000, "tie_word_embeddings": false, "hidden_act": "silu", "use_sliding_window": false}
        """),
        ("r1-qwen-7b", """
        {"model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28, \
        "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064, "max_position_embeddings": 131072, \
        "rms_norm_eps": 1e-06, "rope_theta": 10000, "tie_word_embeddings": false, "hidden_act": "silu", "use_sliding_window": false}
        """),
        ("r1-llama-8b", """
        {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, \
        "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 131072, \
        "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, \
        "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}, \
        "attention_bias": false, "mlp_bias": false, "tie_word_embeddings": false, "hidden_act": "silu"}
        """),
    ]
}
