/// A heap buffer of `count` trivial values with a stable address, owned by this object and freed
/// with it.
///
/// Run states keep their scratch memory in `Buffer`s, so the engine can hold plain pointers for
/// the lifetime of the state instead of letting `baseAddress!` escape `withUnsafe…` closures.
/// Not thread-safe: one owner mutates it at a time.
public final class Buffer<Element: BitwiseCopyable> {
  /// The first element; valid until the buffer is resized or freed.
  public private(set) var pointer: UnsafeMutablePointer<Element>
  /// Number of elements.
  public private(set) var count: Int

  /// `count` elements set to `value`.
  public init(count: Int, repeating value: Element) {
    precondition(count >= 0, "negative buffer size")
    self.count = count
    pointer = .allocate(capacity: max(count, 1))
    pointer.initialize(repeating: value, count: count)
  }

  deinit { pointer.deallocate() }

  /// The elements as a buffer pointer.
  public var elements: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }

  /// Reallocates to `newCount` elements set to `value` when `newCount` exceeds the current size
  /// (contents are not kept); otherwise does nothing.
  public func grow(to newCount: Int, repeating value: Element) {
    guard newCount > count else { return }
    pointer.deallocate()
    pointer = .allocate(capacity: newCount)
    pointer.initialize(repeating: value, count: newCount)
    count = newCount
  }

  /// A copy of the first `n` elements.
  public func prefix(_ n: Int) -> [Element] { Array(UnsafeBufferPointer(start: pointer, count: min(n, count))) }
}
