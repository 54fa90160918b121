import CKernels

// Vectorised exponential for softmax and SiLU.
//
// exp(x) = 2ⁿ · exp(r) with n = round(x / ln 2) and r = x − n·ln 2 (ln 2 split in two parts for
// accuracy), exp(r) by a degree-6 polynomial on |r| ≤ ln2/2. Relative error ≤ 2e-7 over the
// float range (checked against `Foundation.exp` in KernelReferenceTests); inputs are clamped to
// [-87.3, 88.7] so 2ⁿ stays a normal float (exp of anything below underflows to ~0).

/// `output[i] = exp(input[i] − shift)` for `count` elements; returns their sum.
/// Vectorised in C (`CKernels/ckernels.c`): exp(x) = 2ⁿ·exp(r) with a degree-6 polynomial.
///
/// - Parameters:
///   - output: `[count]`; may alias `input`.
///   - input: `[count]`.
@inlinable
@discardableResult
public func expShifted(
  _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, shift: Float, count: Int
) -> Float {
  bae_exp_shifted(output, input, shift, count)
}
