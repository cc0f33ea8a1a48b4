// SafeKey re-exports Support, so `import SafeKey` keeps giving the JSON value, ChatMessage,
// AtomicFile and the hashes its public API uses.
@_exported import Support
