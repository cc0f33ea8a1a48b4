/// SafetyEval: benchmark loaders, batched generation, judges, rates and reports (issue 9).
public enum SafetyEvalModule {}
