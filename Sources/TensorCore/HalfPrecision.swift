// Bit-exact conversions between IEEE half / bfloat16 and Float.
// Written on bit patterns so they behave the same on every platform (Swift's
// `Float16` is not available everywhere).

/// Widens an IEEE 754 binary16 bit pattern to `Float` exactly.
@inlinable
public func floatFromHalfBits(_ h: UInt16) -> Float {
  let sign = UInt32(h & 0x8000) << 16
  let exponent = Int((h >> 10) & 0x1F)
  let mantissa = UInt32(h & 0x3FF)
  if exponent == 0 {
    if mantissa == 0 { return Float(bitPattern: sign) }
    // Subnormal half: value = mantissa · 2⁻²⁴.
    let magnitude = Float(mantissa) * 5.960464477539063e-8
    return sign == 0 ? magnitude : -magnitude
  }
  if exponent == 31 {
    return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
  }
  return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
}

/// Rounds a `Float` to the nearest IEEE binary16 bit pattern (ties to even).
@inlinable
public func halfBitsFromFloat(_ value: Float) -> UInt16 {
  let bits = value.bitPattern
  let sign = UInt16((bits >> 16) & 0x8000)
  let exponent = Int((bits >> 23) & 0xFF)
  var mantissa = bits & 0x7F_FFFF
  if exponent == 0xFF {  // Inf or NaN
    return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0)
  }
  var e = exponent - 127 + 15
  if e >= 31 { return sign | 0x7C00 }
  if e <= 0 {
    if e < -10 { return sign }
    mantissa |= 0x80_0000
    let shift = UInt32(14 - e)
    var half = mantissa >> shift
    let remainder = mantissa & ((1 << shift) - 1)
    let halfway = UInt32(1) << (shift - 1)
    if remainder > halfway || (remainder == halfway && (half & 1) == 1) { half += 1 }
    return sign | UInt16(half)
  }
  var half = mantissa >> 13
  let remainder = mantissa & 0x1FFF
  if remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1) {
    half += 1
    if half == 0x400 {
      half = 0
      e += 1
      if e >= 31 { return sign | 0x7C00 }
    }
  }
  return sign | UInt16(e) << 10 | UInt16(half)
}

/// Widens a bfloat16 bit pattern to `Float` exactly.
@inlinable
public func floatFromBFloat16Bits(_ b: UInt16) -> Float {
  Float(bitPattern: UInt32(b) << 16)
}

/// Rounds a `Float` to the nearest bfloat16 bit pattern (ties to even; NaN stays NaN).
@inlinable
public func bfloat16BitsFromFloat(_ value: Float) -> UInt16 {
  let bits = value.bitPattern
  if value.isNaN { return UInt16(bits >> 16) | 0x40 }
  let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
  return UInt16((bits &+ rounding) >> 16)
}

/// Converts `count` raw little-endian elements of `dtype` at `source` into `Float`s.
///
/// - Parameters:
///   - output: destination, `count` floats.
///   - source: raw bytes, `count · dtype.byteCount` long (need not be aligned).
/// - Precondition: `dtype.isFloatingPoint`.
public func convertToFloat(
  _ output: UnsafeMutablePointer<Float>, from source: UnsafeRawPointer, dtype: DType, count: Int
) {
  switch dtype {
  case .float32:
    UnsafeMutableRawPointer(output).copyMemory(from: source, byteCount: count * 4)
  case .float16:
    for i in 0..<count {
      output[i] = floatFromHalfBits(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
    }
  case .bfloat16:
    for i in 0..<count {
      output[i] = floatFromBFloat16Bits(
        source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
    }
  case .float64:
    for i in 0..<count {
      output[i] = Float(source.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
    }
  default:
    preconditionFailure("convertToFloat called with non-float dtype \(dtype)")
  }
}
