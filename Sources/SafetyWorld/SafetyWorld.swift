/// SafetyWorld: the embedded default — a synthetic safety-reasoning world and a tiny base model (issue 6).
public enum SafetyWorldModule {}
