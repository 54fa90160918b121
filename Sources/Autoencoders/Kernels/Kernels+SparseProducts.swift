import TensorCore

// Legend: B = batch rows, m = code width, d = input/output width; S_i = the kept codes of row
// i (mask = 1) as a CSR index: columns[start[i] ..< start[i + 1]], ascending. W_dec is [m, d],
// W_enc is [d, m], all row-major.
//
// The products of a training step whose code operand is mostly zero (TopK, BatchTopK, a sparse
// ReLU or JumpReLU), computed over the kept codes only. Each output element is summed over the
// kept entries in ascending row or column order, whatever the number of workers (every worker
// owns whole output rows), so results do not depend on the thread count; they equal the dense
// GEMMs up to the order of the f32 sums.

/// The CSR index of the kept entries of a `[B, m]` mask.
///
/// - Parameters:
///   - start: output `[B + 1]`: row `i`'s entries are `columns[start[i] ..< start[i + 1]]`.
///   - columns: output, room for every kept entry (at most `B·m`).
///   - mask: `[B, m]`, 1 where the code is kept.
///   - rows: `B`.
///   - width: `m`.
/// - Returns: the number of kept entries.
/// - Complexity: O(B·m).
public func keptIndex(
  start: UnsafeMutablePointer<Int32>, columns: UnsafeMutablePointer<Int32>, mask: UnsafePointer<UInt8>, rows: Int,
  width: Int
) -> Int {
  var count = 0
  for i in 0..<rows {
    start[i] = Int32(count)
    let row = mask + i * width
    for j in 0..<width {
      // Branch-free append: the slot is always written, the count only moves past kept ones.
      columns[count] = Int32(j)
      count &+= Int(row[j] & 1)
    }
  }
  start[rows] = Int32(count)
  return count
}

/// Decoder forward over the kept codes: `out[i, :] += Σ_{j ∈ S_i} h_ij · W_dec[j, :]`.
///
/// - Parameters:
///   - output: `[B, d]`, holding the bias (added to).
///   - codes: `h`, `[B, m]`.
///   - start, columns: the CSR index of the kept codes (``keptIndex(start:columns:mask:rows:width:)``).
///   - weight: `W_dec`, `[m, d]`.
///   - rows: `B`.
///   - width: `m`.
///   - outputWidth: `d`.
///   - workers: concurrent chunks of rows.
/// - Complexity: O(nnz·d).
public func sparseDecode(
  _ output: UnsafeMutablePointer<Float>, codes: UnsafePointer<Float>, start: UnsafePointer<Int32>,
  columns: UnsafePointer<Int32>, weight: UnsafePointer<Float>, rows: Int, width: Int, outputWidth: Int,
  workers: Int = 1
) {
  let (m, d) = (width, outputWidth)
  parallelChunks(rows, workers: workers) { _, range in
    for i in range {
      let out = output + i * d
      for e in Int(start[i])..<Int(start[i + 1]) {
        let j = Int(columns[e])
        let h = codes[i * m + j]
        let w = weight + j * d
        for p in 0..<d { out[p] += h * w[p] }
      }
    }
  }
}

/// Gradient of the decoder weight over the kept codes: `∂W_dec[j, :] = Σ_{i: j ∈ S_i} h_ij · g[i, :]`
/// (rows of codes nobody kept are 0), what `hᵀ·g` gives.
///
/// - Parameters:
///   - gradient: output `[m, d]`.
///   - codes: `h`, `[B, m]`.
///   - start, columns: the CSR index of the kept codes.
///   - outputGradient: `g = ∂L/∂a`, `[B, d]`.
///   - rows: `B`.
///   - width: `m`.
///   - outputWidth: `d`.
///   - workers: concurrent chunks of codes (each owns its rows of the gradient).
/// - Complexity: O(nnz·d + workers·nnz).
public func sparseDecoderWeightGradient(
  _ gradient: UnsafeMutablePointer<Float>, codes: UnsafePointer<Float>, start: UnsafePointer<Int32>,
  columns: UnsafePointer<Int32>, outputGradient: UnsafePointer<Float>, rows: Int, width: Int, outputWidth: Int,
  workers: Int = 1
) {
  let (m, d) = (width, outputWidth)
  parallelChunks(m, workers: workers) { _, codesOwned in
    (gradient + codesOwned.lowerBound * d).update(repeating: 0, count: codesOwned.count * d)
    let (low, high) = (Int32(codesOwned.lowerBound), Int32(codesOwned.upperBound))
    for i in 0..<rows {
      let g = outputGradient + i * d
      for e in Int(start[i])..<Int(start[i + 1]) where columns[e] >= low && columns[e] < high {
        let j = Int(columns[e])
        let h = codes[i * m + j]
        let out = gradient + j * d
        for p in 0..<d { out[p] += h * g[p] }
      }
    }
  }
}

/// Gradient with respect to the pre-activations of masked codes, over the kept codes:
/// `∂z_ij = r_ij + g_i · W_dec[j, :]` for `j ∈ S_i`, `+0` elsewhere (the dense step's
/// `maskedBackward(r + g·W_decᵀ)`).
///
/// - Parameters:
///   - preGradient: output `∂z`, `[B, m]` (not `codeGradient`'s memory).
///   - codeGradient: `r`, the regularisers' part of `∂L/∂h`, `[B, m]`.
///   - start, columns: the CSR index of the kept codes.
///   - outputGradient: `g`, `[B, d]`.
///   - weight: `W_dec`, `[m, d]`.
///   - rows: `B`.
///   - width: `m`.
///   - outputWidth: `d`.
///   - workers: concurrent chunks of rows.
/// - Complexity: O(B·m + nnz·d).
public func sparsePreGradient(
  _ preGradient: UnsafeMutablePointer<Float>, codeGradient: UnsafePointer<Float>, start: UnsafePointer<Int32>,
  columns: UnsafePointer<Int32>, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int,
  width: Int, outputWidth: Int, workers: Int = 1
) {
  let (m, d) = (width, outputWidth)
  parallelChunks(rows, workers: workers) { _, range in
    (preGradient + range.lowerBound * m).update(repeating: 0, count: range.count * m)
    for i in range {
      let g = outputGradient + i * d
      for e in Int(start[i])..<Int(start[i + 1]) {
        let j = Int(columns[e])
        let w = weight + j * d
        var dot: Float = 0
        for p in 0..<d { dot += g[p] * w[p] }
        preGradient[i * m + j] = codeGradient[i * m + j] + dot
      }
    }
  }
}

/// Gradient of the encoder weight from a pre-activation gradient that is zero outside the kept
/// codes: `∂W_enc[p, j] = Σ_{i: j ∈ S_i} x[i, p] · ∂z_ij`, what `xᵀ·∂z` gives. Accumulated as
/// `∂W_encᵀ` (contiguous rows of `d`, as ``sparseDecoderWeightGradient(_:codes:start:columns:outputGradient:rows:width:outputWidth:workers:)``)
/// in `transposed`, then transposed.
///
/// - Parameters:
///   - gradient: output `[d, m]`.
///   - transposed: workspace `[m, d]`.
///   - input: `x`, `[B, d]`.
///   - preGradient: `∂z`, `[B, m]` (read at the kept entries only).
///   - start, columns: the CSR index of the kept codes.
///   - rows: `B`.
///   - inputWidth: `d`.
///   - width: `m`.
///   - workers: concurrent chunks.
/// - Complexity: O(d·m + nnz·d).
public func sparseEncoderWeightGradient(
  _ gradient: UnsafeMutablePointer<Float>, transposed: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
  preGradient: UnsafePointer<Float>, start: UnsafePointer<Int32>, columns: UnsafePointer<Int32>, rows: Int,
  inputWidth: Int, width: Int, workers: Int = 1
) {
  let (d, m) = (inputWidth, width)
  sparseDecoderWeightGradient(
    transposed, codes: preGradient, start: start, columns: columns, outputGradient: input, rows: rows, width: m,
    outputWidth: d, workers: workers)
  // [m, d] → [d, m] in tiles of 32×32, each worker owning rows of the output.
  let tile = 32
  parallelChunks((d + tile - 1) / tile, workers: workers) { _, tiles in
    for pTile in tiles {
      let p0 = pTile * tile
      let p1 = min(d, p0 + tile)
      for j0 in stride(from: 0, to: m, by: tile) {
        let j1 = min(m, j0 + tile)
        for p in p0..<p1 {
          let out = gradient + p * m
          for j in j0..<j1 { out[j] = transposed[j * d + p] }
        }
      }
    }
  }
}
