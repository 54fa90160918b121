import TensorCore

/// The keys and values one sequence has computed so far, for every layer, preallocated up to a
/// maximum length so decoding allocates nothing (llama2.c's `key_cache`/`value_cache`).
///
/// Layout: `keys`, `values` `[L, capacity, kv]` (`L` layers, `kv` = kvHeads·headDim), row `p` of
/// layer `l` holding position `p` after RoPE (keys) or as projected (values).
///
/// One cache belongs to one sequence and is used by one decoding pass at a time; ``reset()``
/// makes it reusable for another sequence without reallocating.
public final class KVCache {
  /// Positions the cache can hold.
  public let capacity: Int
  /// Positions filled so far (the next token's position).
  public private(set) var count = 0
  let layerCount: Int
  let width: Int
  let keys: Buffer<Float>  // [L, capacity, kv]
  let values: Buffer<Float>  // [L, capacity, kv]

  /// Allocates a cache for up to `capacity` positions of a model with `configuration`.
  ///
  /// - Complexity: allocates `2 · L · capacity · kv` floats (SmolLM2-135M: 46 KB per position).
  public init(configuration: LlamaConfiguration, capacity: Int) {
    precondition(capacity > 0, "a KV cache needs room for at least one position")
    self.capacity = capacity
    layerCount = configuration.layerCount
    width = configuration.keyValueWidth
    keys = Buffer(count: layerCount * capacity * width, repeating: 0)
    values = Buffer(count: layerCount * capacity * width, repeating: 0)
  }

  /// Positions still free.
  public var remaining: Int { capacity - count }

  /// Forgets every position (the memory is kept for the next sequence).
  public func reset() { count = 0 }

  /// Keeps the first `length` positions only (to reuse a shared prefix).
  public func truncate(to length: Int) {
    precondition(length >= 0 && length <= count, "truncate(to:) beyond the filled positions")
    count = length
  }

  /// The first key row of `layer`, `[capacity, kv]`.
  func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys.pointer + layer * capacity * width }
  /// The first value row of `layer`, `[capacity, kv]`.
  func values(layer: Int) -> UnsafeMutablePointer<Float> { values.pointer + layer * capacity * width }

  /// Marks `n` more positions as filled (after every layer has written them).
  func advance(by n: Int) {
    precondition(count + n <= capacity, "KV cache overflow")
    count += n
  }
}
