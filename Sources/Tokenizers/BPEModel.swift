import Synchronization

/// Byte-level BPE merging over raw bytes, with a per-word cache.
///
/// The vocabulary is keyed by the raw bytes a token stands for (its byte-level
/// string run back through ``ByteLevel``); merges are keyed by the pair of ids.
/// Algorithm as in HF tokenizers `models/bpe/word.rs`: repeatedly merge the
/// adjacent pair with the lowest rank, leftmost first.
final class BPEModel: Sendable {
  /// Id of each single byte (-1 when the vocabulary lacks it; such bytes are dropped, as HF does without `unk_token`).
  let byteIDs: [Int32]
  /// (left id << 32 | right id) → (rank, merged id).
  let merges: [UInt64: (rank: Int32, id: Int32)]
  /// Raw bytes → id, for `ignore_merges`.
  let wordIDs: [[UInt8]: Int32]
  /// Byte length of each id (0 for ids that are not byte-level strings).
  let byteLengths: [Int32]
  let ignoreMerges: Bool
  private let cache = Mutex<[[UInt8]: [Int32]]>([:])
  private static let cacheLimit = 200_000

  init(
    byteIDs: [Int32], merges: [UInt64: (rank: Int32, id: Int32)], wordIDs: [[UInt8]: Int32], byteLengths: [Int32],
    ignoreMerges: Bool
  ) {
    self.byteIDs = byteIDs
    self.merges = merges
    self.wordIDs = wordIDs
    self.byteLengths = byteLengths
    self.ignoreMerges = ignoreMerges
  }

  /// Tokenizes one pre-tokenized word (raw UTF-8 bytes), appending ids to `out`.
  func tokenize(_ word: [UInt8], into out: inout [Int32]) {
    if ignoreMerges, let id = wordIDs[word] {
      out.append(id)
      return
    }
    if let hit = cache.withLock({ $0[word] }) {
      out.append(contentsOf: hit)
      return
    }
    let ids = merge(word)
    cache.withLock { c in
      if c.count >= Self.cacheLimit { c.removeAll(keepingCapacity: true) }
      c[word] = ids
    }
    out.append(contentsOf: ids)
  }

  private struct Candidate: Comparable {
    var rank: Int32
    var position: Int32
    var left: Int32
    var right: Int32
    static func < (a: Candidate, b: Candidate) -> Bool {
      a.rank != b.rank ? a.rank < b.rank : a.position < b.position
    }
  }

  @inline(__always)
  private func key(_ a: Int32, _ b: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
  }

  /// BPE on one word: a doubly linked list of symbols and a min-heap of candidate merges.
  func merge(_ word: [UInt8]) -> [Int32] {
    var ids: [Int32] = []
    ids.reserveCapacity(word.count)
    for b in word {
      let id = byteIDs[Int(b)]
      if id >= 0 { ids.append(id) }
    }
    let n = ids.count
    if n < 2 { return ids }
    var next = [Int32](unsafeUninitializedCapacity: n) { buf, count in
      for k in 0..<n { buf[k] = Int32(k + 1) }
      count = n
    }
    var prev = [Int32](unsafeUninitializedCapacity: n) { buf, count in
      for k in 0..<n { buf[k] = Int32(k - 1) }
      count = n
    }
    var heap = MinHeap<Candidate>()
    for k in 0..<(n - 1) {
      if let m = merges[key(ids[k], ids[k + 1])] {
        heap.push(Candidate(rank: m.rank, position: Int32(k), left: ids[k], right: ids[k + 1]))
      }
    }
    while let c = heap.pop() {
      let p = Int(c.position)
      guard ids[p] == c.left else { continue }  // symbol gone or changed
      let q = Int(next[p])
      guard q < n, ids[q] == c.right else { continue }
      guard let m = merges[key(c.left, c.right)] else { continue }
      ids[p] = m.id
      ids[q] = -1
      let r = Int(next[q])
      next[p] = Int32(r)
      if r < n { prev[r] = Int32(p) }
      let l = Int(prev[p])
      if l >= 0, let lm = merges[key(ids[l], m.id)] {
        heap.push(Candidate(rank: lm.rank, position: Int32(l), left: ids[l], right: m.id))
      }
      if r < n, let rm = merges[key(m.id, ids[r])] {
        heap.push(Candidate(rank: rm.rank, position: Int32(p), left: m.id, right: ids[r]))
      }
    }
    var result: [Int32] = []
    var k = 0
    while k < n {
      result.append(ids[k])
      k = Int(next[k])
    }
    return result
  }
}

/// A small binary min-heap.
struct MinHeap<Element: Comparable> {
  private var items: [Element] = []

  mutating func push(_ e: Element) {
    items.append(e)
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      if items[i] < items[parent] {
        items.swapAt(i, parent)
        i = parent
      } else {
        break
      }
    }
  }

  mutating func pop() -> Element? {
    guard let last = items.popLast() else { return nil }
    guard !items.isEmpty else { return last }
    let top = items[0]
    items[0] = last
    var i = 0
    let n = items.count
    while true {
      let a = 2 * i + 1
      let b = a + 1
      var m = i
      if a < n && items[a] < items[m] { m = a }
      if b < n && items[b] < items[m] { m = b }
      if m == i { break }
      items.swapAt(i, m)
      i = m
    }
    return top
  }
}
