// Dequantizers for ggml's 256-element "K-quant" super-block formats
// (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K).
//
// Layouts follow ggml's `block_q*_K` structs (ggml-common.h, QK_K = 256) and the
// reference `dequantize_row_q*_K` functions (ggml-quants.c); gguf-py's
// `quants.py` is the golden reference the tests compare against. Arithmetic is
// done in `Float` in the reference's order, so results are bit-exact.
//
// Legend inside kernel bodies: `x` = source super-block bytes, `y` = its 256
// output floats, `d`/`dmin` = super-block scale and minimum scale, `g` = a
// group of 32 outputs, `l` = position inside a group, `q` = quantized integer.

/// Unpacks the 6-bit scale and minimum of sub-block `j` (0..<8) from the
/// 12-byte `scales` field shared by Q4_K and Q5_K (ggml's `get_scale_min_k4`).
@inline(__always)
@usableFromInline
func kQuantScaleMin(_ scales: UnsafePointer<UInt8>, _ j: Int) -> (scale: UInt8, min: UInt8) {
  if j < 4 {
    return (scales[j] & 63, scales[j + 4] & 63)
  }
  let scale = (scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4)
  let min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4)
  return (scale, min)
}

/// Dequantizes Q4_K super-blocks (144 bytes each):
/// `{ f16 d; f16 dmin; u8 scales[12]; u8 qs[128] }`.
///
/// Sub-block `g` (32 elements) has 6-bit scale `s` and minimum `m`;
/// `y = (d · s) · q − dmin · m`, `q` a nibble of `qs[32 · (g / 2) + l]` (low for even `g`).
///
/// - Parameters:
///   - output: `blockCount · 256` floats.
///   - source: `blockCount · 144` bytes (need not be aligned).
///   - blockCount: number of super-blocks.
public func dequantizeQ4_K(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 144
    let y = output + b * 256
    let d = loadHalf(x, 0)
    let dmin = loadHalf(x, 2)
    let scales = (x + 4).assumingMemoryBound(to: UInt8.self)
    let qs = (x + 16).assumingMemoryBound(to: UInt8.self)
    for g in 0..<8 {
      let (scale, min) = kQuantScaleMin(scales, g)
      let d1 = d * Float(scale)
      let m1 = dmin * Float(min)
      let shift = UInt8((g & 1) * 4)
      let q = qs + 32 * (g >> 1)
      let yg = y + 32 * g
      for l in 0..<32 {
        yg[l] = d1 * Float((q[l] >> shift) & 0x0F) - m1
      }
    }
  }
}

/// Dequantizes Q5_K super-blocks (176 bytes each):
/// `{ f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }`.
///
/// As ``dequantizeQ4_K(_:from:blockCount:)`` with a fifth bit: bit `g` of `qh[l]`.
///
/// - Parameters:
///   - output: `blockCount · 256` floats.
///   - source: `blockCount · 176` bytes.
///   - blockCount: number of super-blocks.
public func dequantizeQ5_K(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 176
    let y = output + b * 256
    let d = loadHalf(x, 0)
    let dmin = loadHalf(x, 2)
    let scales = (x + 4).assumingMemoryBound(to: UInt8.self)
    let qh = (x + 16).assumingMemoryBound(to: UInt8.self)
    let qs = (x + 48).assumingMemoryBound(to: UInt8.self)
    for g in 0..<8 {
      let (scale, min) = kQuantScaleMin(scales, g)
      let d1 = d * Float(scale)
      let m1 = dmin * Float(min)
      let shift = UInt8((g & 1) * 4)
      let q = qs + 32 * (g >> 1)
      let yg = y + 32 * g
      for l in 0..<32 {
        let low = (q[l] >> shift) & 0x0F
        let high = ((qh[l] >> UInt8(g)) & 1) << 4
        yg[l] = d1 * Float(low | high) - m1
      }
    }
  }
}

/// Dequantizes Q6_K super-blocks (210 bytes each):
/// `{ u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d }`.
///
/// Each 16 elements share an 8-bit signed scale `s`; `y = (d · s) · (q − 32)` with 6-bit `q`:
/// four low bits from `ql`, two high bits from `qh`.
///
/// - Parameters:
///   - output: `blockCount · 256` floats.
///   - source: `blockCount · 210` bytes.
///   - blockCount: number of super-blocks.
public func dequantizeQ6_K(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 210
    let y = output + b * 256
    let ql = x.assumingMemoryBound(to: UInt8.self)
    let qh = (x + 128).assumingMemoryBound(to: UInt8.self)
    let scales = (x + 192).assumingMemoryBound(to: Int8.self)
    let d = loadHalf(x, 208)
    for g in 0..<8 {
      // Groups 0-3 use the first halves of ql/qh, groups 4-7 the second halves.
      let half = g >> 2
      let r = g & 3
      let low = ql + 64 * half + 32 * (r & 1)
      let lowShift = UInt8((r >> 1) * 4)
      let high = qh + 32 * half
      let highShift = UInt8(2 * r)
      let d0 = d * Float(scales[2 * g])
      let d1 = d * Float(scales[2 * g + 1])
      let yg = y + 32 * g
      for l in 0..<32 {
        let q = ((low[l] >> lowShift) & 0x0F) | (((high[l] >> highShift) & 3) << 4)
        yg[l] = (l < 16 ? d0 : d1) * Float(Int32(q) - 32)
      }
    }
  }
}

/// Dequantizes Q2_K super-blocks (84 bytes each):
/// `{ u8 scales[16]; u8 qs[64]; f16 d; f16 dmin }`.
///
/// Each 16 elements share a 4-bit scale `s` (low nibble) and minimum `m` (high nibble);
/// `y = (d · s) · q − dmin · m` with 2-bit `q`.
///
/// - Parameters:
///   - output: `blockCount · 256` floats.
///   - source: `blockCount · 84` bytes.
///   - blockCount: number of super-blocks.
public func dequantizeQ2_K(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 84
    let y = output + b * 256
    let scales = x.assumingMemoryBound(to: UInt8.self)
    let qs = (x + 16).assumingMemoryBound(to: UInt8.self)
    let d = loadHalf(x, 80)
    let dmin = loadHalf(x, 82)
    for g in 0..<8 {
      let q = qs + 32 * (g >> 2)
      let shift = UInt8(2 * (g & 3))
      let yg = y + 32 * g
      for half in 0..<2 {
        let scale = scales[2 * g + half]
        let dl = d * Float(scale & 0x0F)
        let ml = dmin * Float(scale >> 4)
        for l in (16 * half)..<(16 * half + 16) {
          yg[l] = dl * Float((q[l] >> shift) & 3) - ml
        }
      }
    }
  }
}

/// Dequantizes Q3_K super-blocks (110 bytes each):
/// `{ u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d }`.
///
/// Each 16 elements share a 6-bit scale `s` (stored biased by 32);
/// `y = (d · (s − 32)) · q`, `q` = 2 low bits from `qs` minus 4 where the `hmask` bit is clear.
///
/// - Parameters:
///   - output: `blockCount · 256` floats.
///   - source: `blockCount · 110` bytes.
///   - blockCount: number of super-blocks.
public func dequantizeQ3_K(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 110
    let y = output + b * 256
    let hmask = x.assumingMemoryBound(to: UInt8.self)
    let qs = (x + 32).assumingMemoryBound(to: UInt8.self)
    let packed = (x + 96).assumingMemoryBound(to: UInt8.self)
    let d = loadHalf(x, 108)
    for g in 0..<8 {
      let q = qs + 32 * (g >> 2)
      let shift = UInt8(2 * (g & 3))
      let yg = y + 32 * g
      for half in 0..<2 {
        // Scale i: low 4 bits from packed[i % 8] (nibble i / 8), high 2 bits from packed[8 + i % 4].
        let i = 2 * g + half
        let low = (packed[i & 7] >> UInt8(4 * (i >> 3))) & 0x0F
        let high = (packed[8 + (i & 3)] >> UInt8(2 * (i >> 2))) & 3
        let dl = d * Float(Int32(low | (high << 4)) - 32)
        for l in (16 * half)..<(16 * half + 16) {
          let q2 = Int32((q[l] >> shift) & 3)
          let hbit = (hmask[l] >> UInt8(g)) & 1
          yg[l] = dl * Float(hbit == 0 ? q2 - 4 : q2)
        }
      }
    }
  }
}

/// Dequantizes Q8_K super-blocks (292 bytes each):
/// `{ f32 d; i8 qs[256]; i16 bsums[16] }`, `y = d · q` (`bsums` is not needed).
///
/// - Parameters:
///   - output: `blockCount · 256` floats.
///   - source: `blockCount · 292` bytes.
///   - blockCount: number of super-blocks.
public func dequantizeQ8_K(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, blockCount: Int
) {
  for b in 0..<blockCount {
    let x = source + b * 292
    let y = output + b * 256
    let d = Float(
      bitPattern: UInt32(littleEndian: x.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
    let q = (x + 4).assumingMemoryBound(to: Int8.self)
    for j in 0..<256 { y[j] = d * Float(q[j]) }
  }
}
