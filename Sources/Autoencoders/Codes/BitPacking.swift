// Legend: B = rows, m = code width, w = ⌈m/8⌉ bytes per packed row.
//
// Bit order (the `bits` encoding of `bae encode`): bit j of a row is bit j % 8 of byte j / 8,
// least significant bit first, and the unused high bits of the last byte are 0. This is
// NumPy's `np.packbits(codes, axis=1, bitorder="little")`, so
// `np.unpackbits(packed, axis=1, count=m, bitorder="little")` gives the codes back.

/// Bytes per packed row of `columns` bits: `⌈columns / 8⌉`.
@inlinable
public func packedRowBytes(_ columns: Int) -> Int { (columns + 7) / 8 }

/// Packs 0/1 codes `[B, m]` into bytes `[B, w]`, least significant bit first (see the bit
/// order above). Any non-zero code counts as 1.
///
/// - Parameters:
///   - packed: output `[B, w]`.
///   - codes: `[B, m]`.
@inlinable
public func packCodeBits(_ packed: UnsafeMutablePointer<UInt8>, codes: UnsafePointer<Float>, rows: Int, columns: Int) {
  let w = packedRowBytes(columns)
  for r in 0..<rows {
    let row = codes + r * columns
    let out = packed + r * w
    for byte in 0..<w {
      var value: UInt8 = 0
      let start = byte * 8
      for bit in 0..<min(8, columns - start) where row[start + bit] != 0 { value |= 1 << UInt8(bit) }
      out[byte] = value
    }
  }
}

/// Unpacks bytes `[B, w]` into 0/1 codes `[B, m]` (the inverse of
/// ``packCodeBits(_:codes:rows:columns:)``; bits past `m` are ignored).
///
/// - Parameters:
///   - codes: output `[B, m]`.
///   - packed: `[B, w]`.
@inlinable
public func unpackCodeBits(_ codes: UnsafeMutablePointer<Float>, packed: UnsafePointer<UInt8>, rows: Int, columns: Int)
{
  let w = packedRowBytes(columns)
  for r in 0..<rows {
    let row = packed + r * w
    let out = codes + r * columns
    for j in 0..<columns { out[j] = (row[j >> 3] >> UInt8(j & 7)) & 1 == 1 ? 1 : 0 }
  }
}
