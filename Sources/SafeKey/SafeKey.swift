/// SafeKey: the method — records, U/K annotation, span encoding, losses, trainer (issues 5, 8).
public enum SafeKeyModule {}
