/// Locale-independent decimal text for numbers in SVG documents: coordinates and tick labels.
///
/// Digits come from integer arithmetic (never from `String(format:)`, whose output depends on
/// the C locale, nor from `Double.description`, which writes `0.30000000000000004`), so a
/// document's bytes depend only on its data.
enum NumberText {
  /// `value` rounded to `decimals` places, trailing zeros dropped (`12.5`, `3`, `-0.25`); never
  /// `-0`. Values beyond ±10¹⁵ after scaling fall back to Swift's shortest round-trip form.
  ///
  /// - Precondition: `value` is finite.
  static func fixed(_ value: Double, decimals: Int) -> String {
    precondition(value.isFinite, "only finite numbers are written into a document")
    let scaled = (value * power(of: decimals)).rounded()
    guard abs(scaled) < 1e15 else { return value.description }
    return exact(Int(scaled), exponent: -decimals, trimmingZeros: true)
  }

  /// The exact decimal `significand · 10^exponent`, e.g. `(25, -2)` → `0.25`, `(3, 2)` → `300`.
  ///
  /// - Parameter trimmingZeros: drop trailing zeros after the decimal point (and the point).
  static func exact(_ significand: Int, exponent: Int, trimmingZeros: Bool = true) -> String {
    if significand == 0 { return "0" }
    let sign = significand < 0 ? "-" : ""
    var digits = String(significand.magnitude)
    if exponent >= 0 {
      return sign + digits + String(repeating: "0", count: exponent)
    }
    let fractionDigits = -exponent
    if digits.count <= fractionDigits {
      digits = String(repeating: "0", count: fractionDigits - digits.count + 1) + digits
    }
    var whole = String(digits.dropLast(fractionDigits))
    var fraction = String(digits.suffix(fractionDigits))
    if trimmingZeros {
      while fraction.last == "0" { fraction.removeLast() }
    }
    if whole.isEmpty { whole = "0" }
    return sign + whole + (fraction.isEmpty ? "" : "." + fraction)
  }

  /// `significand · 10^exponent` in scientific form, e.g. `(12, 5)` → `1.2e6`, `(5, -6)` → `5e-6`.
  static func scientific(_ significand: Int, exponent: Int) -> String {
    if significand == 0 { return "0" }
    let sign = significand < 0 ? "-" : ""
    var digits = String(significand.magnitude)
    let power = exponent + digits.count - 1
    while digits.count > 1 && digits.last == "0" {
      digits.removeLast()
    }
    let head = String(digits.prefix(1))
    let tail = String(digits.dropFirst())
    return sign + head + (tail.isEmpty ? "" : "." + tail) + "e" + String(power)
  }

  /// `10^exponent` as the nearest Double (exact for |exponent| ≤ 22).
  static func power(of exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent >= 0 ? result : 1 / result
  }
}
