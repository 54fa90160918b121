/// The order in which ``FeatureBatches`` yields the rows of a ``FeatureSet``.
public enum ReadOrder: Sendable, Hashable {
  /// File order: the shards of the first directory in manifest order, then those of the next
  /// directory, each shard from its first row to its last.
  case sequential

  /// A seeded, bounded-memory shuffle.
  ///
  /// The shards (of all directories together) are read in an order permuted by `seed`, each
  /// from its first row to its last, through a buffer of `bufferRows` rows: the buffer is
  /// filled, then each output row is a uniformly random buffered row, whose slot is refilled
  /// with the next incoming row; once the shards are exhausted the buffer is drained in random
  /// order. This is the buffered shuffle of `tf.data.Dataset.shuffle`, not a global
  /// permutation: a row can only move about `bufferRows` places from where the permuted shard
  /// order puts it. With `bufferRows` ≥ the set's row count every row is buffered before the
  /// first is emitted, which gives a uniformly random permutation of the whole set.
  ///
  /// The order depends only on `seed`, `bufferRows` and the set (the same seed gives the same
  /// rows in the same order on every run and platform); it does not depend on the batch size.
  /// The buffer holds `bufferRows` rows of every requested hook as `Float`, so it costs
  /// `bufferRows · Σ width · 4` bytes.
  case shuffled(seed: UInt64, bufferRows: Int)
}
