// Dequantizers for ggml's 32-element block formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1).
//
// Layouts follow ggml's `block_q*` structs (ggml-common.h) and the reference
// `dequantize_row_q*` functions (ggml-quants.c); gguf-py's `quants.py` is the
// golden reference the tests compare against. All multi-byte fields are
// little-endian. Arithmetic is done in `Float` in the same order as the
// reference (`d · q + m`, no fused multiply-add), so results are bit-exact.
//
// Legend inside kernel bodies: `x` = source block bytes, `y` = output floats of
// the block, `d` = scale, `m` = minimum, `q` = quantized integer.

/// Reads a little-endian IEEE half at `offset` and widens it to `Float`.
@inline(__always)
@usableFromInline
func loadHalf(_ x: UnsafeRawPointer, _ offset: Int) -> Float {
  floatFromHalfBits(UInt16(littleEndian: x.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
}

/// Dequantizes Q8_0 blocks: `{ f16 d; i8 q[32] }` (34 bytes), `y = q · d`.
///
/// - Parameters:
///   - output: `blockCount · 32` floats.
///   - source: `blockCount · 34` bytes (need not be aligned).
///   - blockCount: number of blocks.
public func dequantizeQ8_0(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 34
    let y = output + b * 32
    let d = loadHalf(x, 0)
    let q = (x + 2).assumingMemoryBound(to: Int8.self)
    for j in 0..<32 { y[j] = Float(q[j]) * d }
  }
}

/// Dequantizes Q4_0 blocks: `{ f16 d; u8 qs[16] }` (18 bytes), `y = d · (q − 8)`.
///
/// Element `j < 16` is the low nibble of `qs[j]`, element `j + 16` its high nibble.
///
/// - Parameters:
///   - output: `blockCount · 32` floats.
///   - source: `blockCount · 18` bytes.
///   - blockCount: number of blocks.
public func dequantizeQ4_0(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 18
    let y = output + b * 32
    let d = loadHalf(x, 0)
    let qs = (x + 2).assumingMemoryBound(to: UInt8.self)
    for j in 0..<16 {
      let byte = qs[j]
      y[j] = d * Float(Int32(byte & 0x0F) - 8)
      y[j + 16] = d * Float(Int32(byte >> 4) - 8)
    }
  }
}

/// Dequantizes Q4_1 blocks: `{ f16 d; f16 m; u8 qs[16] }` (20 bytes), `y = d · q + m`.
///
/// - Parameters:
///   - output: `blockCount · 32` floats.
///   - source: `blockCount · 20` bytes.
///   - blockCount: number of blocks.
public func dequantizeQ4_1(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 20
    let y = output + b * 32
    let d = loadHalf(x, 0)
    let m = loadHalf(x, 2)
    let qs = (x + 4).assumingMemoryBound(to: UInt8.self)
    for j in 0..<16 {
      let byte = qs[j]
      y[j] = d * Float(byte & 0x0F) + m
      y[j + 16] = d * Float(byte >> 4) + m
    }
  }
}

/// Dequantizes Q5_0 blocks: `{ f16 d; u32 qh; u8 qs[16] }` (22 bytes), `y = d · (q − 16)`.
///
/// The fifth bit of element `j` is bit `j` of `qh`.
///
/// - Parameters:
///   - output: `blockCount · 32` floats.
///   - source: `blockCount · 22` bytes.
///   - blockCount: number of blocks.
public func dequantizeQ5_0(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 22
    let y = output + b * 32
    let d = loadHalf(x, 0)
    let qh = UInt32(littleEndian: x.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
    let qs = (x + 6).assumingMemoryBound(to: UInt8.self)
    for j in 0..<16 {
      let byte = UInt32(qs[j])
      let low = (byte & 0x0F) | (((qh >> j) & 1) << 4)
      let high = (byte >> 4) | (((qh >> (j + 16)) & 1) << 4)
      y[j] = d * Float(Int32(low) - 16)
      y[j + 16] = d * Float(Int32(high) - 16)
    }
  }
}

/// Dequantizes Q5_1 blocks: `{ f16 d; f16 m; u32 qh; u8 qs[16] }` (24 bytes), `y = d · q + m`.
///
/// - Parameters:
///   - output: `blockCount · 32` floats.
///   - source: `blockCount · 24` bytes.
///   - blockCount: number of blocks.
public func dequantizeQ5_1(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 24
    let y = output + b * 32
    let d = loadHalf(x, 0)
    let m = loadHalf(x, 2)
    let qh = UInt32(littleEndian: x.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    let qs = (x + 8).assumingMemoryBound(to: UInt8.self)
    for j in 0..<16 {
      let byte = UInt32(qs[j])
      let low = (byte & 0x0F) | (((qh >> j) & 1) << 4)
      let high = (byte >> 4) | (((qh >> (j + 16)) & 1) << 4)
      y[j] = d * Float(low) + m
      y[j + 16] = d * Float(high) + m
    }
  }
}
