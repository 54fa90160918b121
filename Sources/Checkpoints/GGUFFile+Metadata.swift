// Typed access to GGUF metadata, with errors that name the key.

extension GGUFFile {
  /// `general.architecture` (`"llama"`, …), or `nil` if absent or not a string.
  public var architecture: String? { metadata["general.architecture"]?.stringValue }

  /// Reads `key` through `convert`; `nil` if absent, an error if present with the wrong type.
  private func optional<T>(
    _ key: String, expected: String, _ convert: (GGUFValue) -> T?
  ) throws(CheckpointError) -> T? {
    guard let value = metadata[key] else { return nil }
    guard let converted = convert(value) else {
      throw .invalidConfig(
        file: url, field: key, detail: "expected \(expected), found \(value.typeName) \(value)")
    }
    return converted
  }

  /// Reads `key` through `convert`; an error if absent or of the wrong type.
  private func required<T>(
    _ key: String, expected: String, _ convert: (GGUFValue) -> T?
  ) throws(CheckpointError) -> T {
    guard let value = try optional(key, expected: expected, convert) else {
      throw .invalidConfig(file: url, field: key, detail: "missing from the GGUF metadata")
    }
    return value
  }

  /// The integer at `key` (any GGUF integer type).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` naming `key` if it is
  ///   missing or not an integer that fits in `Int`.
  public func requiredInt(_ key: String) throws(CheckpointError) -> Int {
    try required(key, expected: "an integer") { $0.intValue }
  }

  /// The number at `key` as `Float` (float or integer types).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not a number.
  public func requiredFloat(_ key: String) throws(CheckpointError) -> Float {
    try required(key, expected: "a number") { $0.floatValue }
  }

  /// The number at `key` as `Double` (float or integer types).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not a number.
  public func requiredDouble(_ key: String) throws(CheckpointError) -> Double {
    try required(key, expected: "a number") { $0.doubleValue }
  }

  /// The string at `key`.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not a string.
  public func requiredString(_ key: String) throws(CheckpointError) -> String {
    try required(key, expected: "a string") { $0.stringValue }
  }

  /// The bool at `key`.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not a bool.
  public func requiredBool(_ key: String) throws(CheckpointError) -> Bool {
    try required(key, expected: "a bool") { $0.boolValue }
  }

  /// The array of strings at `key` (e.g. `tokenizer.ggml.tokens`).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not an
  ///   array of strings.
  public func requiredStringArray(_ key: String) throws(CheckpointError) -> [String] {
    try required(key, expected: "an array of strings") { $0.stringArray }
  }

  /// The array of integers at `key` (e.g. `tokenizer.ggml.token_type`).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not an
  ///   array of integers that fit in `Int32`.
  public func requiredInt32Array(_ key: String) throws(CheckpointError) -> [Int32] {
    try required(key, expected: "an array of 32-bit integers") { $0.int32Array }
  }

  /// The array of numbers at `key` as `Float` (e.g. `tokenizer.ggml.scores`).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if missing or not an
  ///   array of numbers.
  public func requiredFloatArray(_ key: String) throws(CheckpointError) -> [Float] {
    try required(key, expected: "an array of numbers") { $0.floatArray }
  }

  /// The integer at `key`, or `nil` if the key is absent.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if present but not an integer.
  public func optionalInt(_ key: String) throws(CheckpointError) -> Int? {
    try optional(key, expected: "an integer") { $0.intValue }
  }

  /// The number at `key` as `Float`, or `nil` if the key is absent.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if present but not a number.
  public func optionalFloat(_ key: String) throws(CheckpointError) -> Float? {
    try optional(key, expected: "a number") { $0.floatValue }
  }

  /// The string at `key`, or `nil` if the key is absent.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if present but not a string.
  public func optionalString(_ key: String) throws(CheckpointError) -> String? {
    try optional(key, expected: "a string") { $0.stringValue }
  }

  /// The bool at `key`, or `nil` if the key is absent.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` if present but not a bool.
  public func optionalBool(_ key: String) throws(CheckpointError) -> Bool? {
    try optional(key, expected: "a bool") { $0.boolValue }
  }
}
