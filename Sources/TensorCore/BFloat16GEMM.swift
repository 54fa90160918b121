import CDNNL
import CKernels
import Synchronization

// Legend: M, N, K are the GEMM dimensions (rows of the input, output features, input features).

/// Why a bf16 matrix product could not be set up.
public struct MatmulError: Error, CustomStringConvertible, Equatable {
  /// The oneDNN call that failed.
  public var call: String
  /// Its status code (`dnnl_status_t`).
  public var status: Int

  public var description: String { "oneDNN: \(call) failed with status \(status) (\(Self.statusName(status)))" }

  static func statusName(_ status: Int) -> String {
    switch status {
    case 1: "out of memory"
    case 2: "invalid arguments"
    case 3: "unimplemented"
    case 5: "runtime error"
    default: "error"
    }
  }
}

/// Turns a oneDNN status into a ``MatmulError``.
@inline(__always)
func checkDNNL(_ status: dnnl_status_t, _ call: String) throws(MatmulError) {
  guard status == dnnl_success else { throw MatmulError(call: call, status: Int(status.rawValue)) }
}

/// bf16 matrix products with f32 accumulation:
/// `C [M, N] (f32) = A [M, K] (bf16, or f32 rounded to bf16 at the input) · Wᵀ` with
/// `W [N, K]` in bf16 (Hugging Face `nn.Linear` layout), by oneDNN's matmul primitive or by
/// OpenBLAS's sgemm on the operands widened to f32, as ``BFloat16Kernel`` decides.
///
/// One object serves one computation at a time (a forward pass keeps one in its run state); it
/// owns a oneDNN engine, the primitives it created (one per product shape, cached for the life of
/// the object) and its scratch memory, so nothing is shared between objects.
///
/// **Threads.** Like ``gemm(_:ldc:_:lda:transposeA:_:ldb:transposeB:m:n:k:alpha:beta:threads:)``,
/// a product is split into `threads` blocks of rows (or of columns when `M` is small), each
/// computed by a single-threaded oneDNN primitive on its own worker. Debian's oneDNN runs on
/// OpenMP; OpenMP keeps its thread count per calling thread, and every thread that creates or
/// runs a primitive here sets its own count to 1 first, so no process-wide setting changes.
///
/// Where the CPU lacks AVX512-BF16 and AMX, oneDNN still computes the product (converting inside
/// its kernels), only slower; ``implementationName(rows:inDim:outDim:)`` says which kernel runs.
public final class BFloat16GEMM: @unchecked Sendable {
  // Safety: `primitives` is behind a Mutex; `inputBits` and `workers` are mutated only by the
  // calling thread before a product's parallel section, during which each worker touches only
  // its own `Worker` (the one-computation-at-a-time contract above).

  /// The shape and layout of one cached primitive.
  struct Shape: Hashable {
    var m: Int
    var n: Int
    var k: Int
    var ldc: Int
    var accumulate: Bool
  }

  /// A created primitive with the memory descriptors of its arguments.
  final class Primitive: @unchecked Sendable {
    let primitive: dnnl_primitive_t
    var source = dnnl_memory_desc_t()
    var weights = dnnl_memory_desc_t()
    var destination = dnnl_memory_desc_t()
    var scratchpad = dnnl_memory_desc_t()
    let scratchpadBytes: Int
    let implementation: String

    init(engine: dnnl_engine_t, shape: Shape) throws(MatmulError) {
      runOneDNNSingleThreaded()
      // A [M, K] row-major, stride K; W stored [N, K] is B = Wᵀ [K, N] with strides (1, K);
      // C [M, N] with row stride ldc.
      var sourceDims: [dnnl_dim_t] = [Int64(shape.m), Int64(shape.k)]
      var sourceStrides: [dnnl_dim_t] = [Int64(shape.k), 1]
      var weightDims: [dnnl_dim_t] = [Int64(shape.k), Int64(shape.n)]
      var weightStrides: [dnnl_dim_t] = [1, Int64(shape.k)]
      var destinationDims: [dnnl_dim_t] = [Int64(shape.m), Int64(shape.n)]
      var destinationStrides: [dnnl_dim_t] = [Int64(shape.ldc), 1]
      try checkDNNL(
        dnnl_memory_desc_init_by_strides(&source, 2, &sourceDims, dnnl_bf16, &sourceStrides), "source descriptor")
      try checkDNNL(
        dnnl_memory_desc_init_by_strides(&weights, 2, &weightDims, dnnl_bf16, &weightStrides), "weight descriptor")
      try checkDNNL(
        dnnl_memory_desc_init_by_strides(&destination, 2, &destinationDims, dnnl_f32, &destinationStrides),
        "destination descriptor")
      var operation = dnnl_matmul_desc_t()
      try checkDNNL(dnnl_matmul_desc_init(&operation, &source, &weights, nil, &destination), "dnnl_matmul_desc_init")

      var attributes: dnnl_primitive_attr_t?
      try checkDNNL(dnnl_primitive_attr_create(&attributes), "dnnl_primitive_attr_create")
      defer { dnnl_primitive_attr_destroy(attributes) }
      // Scratch memory comes from this object (per worker), not from oneDNN's shared pool.
      try checkDNNL(
        dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "scratchpad mode")
      if shape.accumulate {
        var postOps: dnnl_post_ops_t?
        try checkDNNL(dnnl_post_ops_create(&postOps), "dnnl_post_ops_create")
        defer { dnnl_post_ops_destroy(postOps) }
        try checkDNNL(dnnl_post_ops_append_sum(postOps, 1), "dnnl_post_ops_append_sum")
        try checkDNNL(dnnl_primitive_attr_set_post_ops(attributes, postOps), "dnnl_primitive_attr_set_post_ops")
      }

      var descriptor: dnnl_primitive_desc_t?
      try checkDNNL(
        dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine, nil), "dnnl_primitive_desc_create")
      defer { dnnl_primitive_desc_destroy(descriptor) }
      var name: UnsafePointer<CChar>?
      try checkDNNL(dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name), "implementation query")
      implementation = name.map { String(cString: $0) } ?? "unknown"
      if let md = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0) { scratchpad = md.pointee }
      scratchpadBytes = dnnl_memory_desc_get_size(&scratchpad)
      var created: dnnl_primitive_t?
      try checkDNNL(dnnl_primitive_create(&created, descriptor), "dnnl_primitive_create")
      guard let created else { throw MatmulError(call: "dnnl_primitive_create", status: 5) }
      primitive = created
    }

    deinit { dnnl_primitive_destroy(primitive) }
  }

  /// One worker's stream and scratchpad.
  final class Worker {
    let stream: dnnl_stream_t
    var scratch = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    var scratchBytes = 64

    init(engine: dnnl_engine_t) throws(MatmulError) {
      var created: dnnl_stream_t?
      try checkDNNL(dnnl_stream_create(&created, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
      guard let created else { throw MatmulError(call: "dnnl_stream_create", status: 5) }
      stream = created
    }

    func reserve(_ bytes: Int) {
      guard bytes > scratchBytes else { return }
      scratch.deallocate()
      scratch = .allocate(byteCount: bytes, alignment: 64)
      scratchBytes = bytes
    }

    deinit {
      dnnl_stream_destroy(stream)
      scratch.deallocate()
    }
  }

  private let engine: dnnl_engine_t
  private let primitives = Mutex<[Shape: Primitive]>([:])
  private var workers: [Worker] = []
  private let inputBits = Buffer<UInt16>(count: 0, repeating: 0)
  /// The widened kernel's operands: the input rounded to bf16 values, a block of weight rows.
  private let widenedInput = Buffer<Float>(count: 0, repeating: 0)
  private let widenedWeight = Buffer<Float>(count: 0, repeating: 0)

  /// Elements of `W` the widened kernel converts per block (16 MiB of f32 scratch): a weight
  /// up to this size is widened whole, so the product splits over threads exactly as the f32
  /// path's does; larger ones (an LM head) go block of rows by block of rows.
  static let widenedBlockElements = 1 << 22

  /// Creates the CPU engine; primitives are created by the first product of each shape.
  ///
  /// - Throws: ``MatmulError`` if oneDNN cannot create a CPU engine.
  public init() throws(MatmulError) {
    var created: dnnl_engine_t?
    try checkDNNL(dnnl_engine_create(&created, dnnl_cpu, 0), "dnnl_engine_create")
    guard let created else { throw MatmulError(call: "dnnl_engine_create", status: 5) }
    engine = created
  }

  deinit {
    primitives.withLock { $0.removeAll() }
    workers.removeAll()
    dnnl_engine_destroy(engine)
  }

  /// Number of primitives created so far (one per distinct block shape).
  public var cachedPrimitiveCount: Int { primitives.withLock { $0.count } }

  func primitive(_ shape: Shape) throws(MatmulError) -> Primitive {
    if let cached = primitives.withLock({ $0[shape] }) { return cached }
    let created = try Primitive(engine: engine, shape: shape)
    primitives.withLock { $0[shape] = created }
    return created
  }

  /// The kernel that runs a `[rows, inDim] · [outDim, inDim]ᵀ` product on one worker under
  /// `kernel`: `onednn:` and oneDNN's name, e.g. `onednn:brg:avx512_core_bf16` (AVX512-BF16),
  /// `onednn:brg:avx512_core_amx` (AMX), or a `gemm:` / `ref:` fallback on CPUs without bf16
  /// instructions; or `sgemm:` and OpenBLAS's kernel family for the widened kernel.
  ///
  /// - Throws: ``MatmulError``.
  public func implementationName(
    rows: Int, inDim: Int, outDim: Int, kernel: BFloat16Kernel = .automatic
  ) throws(MatmulError) -> String {
    switch kernel.resolved(rows: rows) {
    case .widened, .automatic: return "sgemm:\(BLASKernels.coreName) (bf16 widened to f32)"
    case .oneDNN:
      return "onednn:" + (try primitive(Shape(m: rows, n: outDim, k: inDim, ldc: outDim, accumulate: false)).implementation)
    }
  }

  /// A linear layer with f32 activations and bf16 weights: `out [T, d] = bf16(x) [T, n] · Wᵀ`,
  /// `W [d, n]`, accumulated in f32. `x` is rounded to bfloat16 (ties to even) at the input.
  ///
  /// - Parameters:
  ///   - output: `[rows, outDim]` f32.
  ///   - input: `[rows, inDim]` f32.
  ///   - weight: `[outDim, inDim]` bfloat16 bit patterns.
  ///   - accumulate: add into `output` instead of overwriting it.
  ///   - threads: worker threads (1 runs inline on the calling thread).
  ///   - kernel: which kernel multiplies (resolved per product by ``BFloat16Kernel/resolved(rows:cpu:)``).
  /// - Throws: ``MatmulError`` if oneDNN cannot create the primitive for this shape.
  /// - Complexity: O(rows·inDim·outDim).
  public func linear(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<UInt16>,
    rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false, threads: Int = 1,
    kernel: BFloat16Kernel = .automatic
  ) throws(MatmulError) {
    if kernel.resolved(rows: rows) == .widened {
      widenedLinear(output, weight, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate, threads: threads) {
        bae_round_to_bfloat16($0, input + $1.lowerBound, $1.count)
      }
      return
    }
    inputBits.grow(to: rows * inDim, repeating: 0)
    let bits = inputBits.pointer
    parallelChunks(rows, workers: max(1, min(threads, rows * inDim / gemmWorkPerThread))) { _, r in
      bae_bfloat16_from_float(bits + r.lowerBound * inDim, input + r.lowerBound * inDim, r.count * inDim)
    }
    try linear(
      output, bfloat16Input: bits, weight, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate,
      threads: threads, kernel: .oneDNN)
  }

  /// A linear layer with bf16 activations and weights: `out [T, d] = x [T, n] · Wᵀ`, accumulated
  /// in f32.
  ///
  /// - Parameters:
  ///   - output: `[rows, outDim]` f32.
  ///   - bfloat16Input: `[rows, inDim]` bfloat16 bit patterns.
  ///   - weight: `[outDim, inDim]` bfloat16 bit patterns.
  ///   - accumulate: add into `output` instead of overwriting it.
  ///   - threads: worker threads (1 runs inline on the calling thread).
  ///   - kernel: which kernel multiplies (resolved per product by ``BFloat16Kernel/resolved(rows:cpu:)``).
  /// - Throws: ``MatmulError``.
  public func linear(
    _ output: UnsafeMutablePointer<Float>, bfloat16Input input: UnsafePointer<UInt16>,
    _ weight: UnsafePointer<UInt16>, rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false, threads: Int = 1,
    kernel: BFloat16Kernel = .automatic
  ) throws(MatmulError) {
    guard rows > 0, outDim > 0 else { return }
    if inDim == 0 {
      if !accumulate { output.update(repeating: 0, count: rows * outDim) }
      return
    }
    if kernel.resolved(rows: rows) == .widened {
      widenedLinear(output, weight, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate, threads: threads) {
        bae_float_from_bfloat16($0, input + $1.lowerBound, $1.count)
      }
      return
    }
    let work = rows * outDim * inDim
    let count = max(1, min(threads, work / gemmWorkPerThread))
    let byRows = rows >= 16 * count
    let extent = byRows ? rows : outDim
    let chunks = min(count, extent)
    // Blocks, their primitives and scratch are prepared on this thread; the parallel part only runs them.
    var blocks: [(rows: Range<Int>, columns: Range<Int>, primitive: Primitive)] = []
    for c in 0..<chunks {
      let range = (extent * c / chunks)..<(extent * (c + 1) / chunks)
      let (r, cols) = byRows ? (range, 0..<outDim) : (0..<rows, range)
      let shape = Shape(m: r.count, n: cols.count, k: inDim, ldc: outDim, accumulate: accumulate)
      blocks.append((r, cols, try primitive(shape)))
    }
    while workers.count < chunks { workers.append(try Worker(engine: engine)) }
    for (c, block) in blocks.enumerated() { workers[c].reserve(block.primitive.scratchpadBytes) }
    let engine = engine
    let workers = workers
    let failure = Mutex<MatmulError?>(nil)
    parallelChunks(chunks, workers: chunks) { c, _ in
      let block = blocks[c]
      let worker = workers[c]
      runOneDNNSingleThreaded()
      do throws(MatmulError) {
        try Self.execute(
          block.primitive, engine: engine, worker: worker,
          source: UnsafeMutableRawPointer(mutating: input + block.rows.lowerBound * inDim),
          weights: UnsafeMutableRawPointer(mutating: weight + block.columns.lowerBound * inDim),
          destination: output + block.rows.lowerBound * outDim + block.columns.lowerBound)
      } catch {
        failure.withLock { $0 = error }
      }
    }
    if let error = failure.withLock({ $0 }) { throw error }
  }

  /// The widened kernel: `out [rows, outDim] (+)= x [rows, inDim] · Wᵀ` with `x` written as bf16
  /// values in f32 by `widenInput` (given where to write and which elements of `x`, in chunks
  /// over the threads) and `W` widened block by block into scratch, then OpenBLAS's sgemm (split
  /// over `threads` as ``gemm(_:ldc:_:lda:transposeA:_:ldb:transposeB:m:n:k:alpha:beta:threads:)``
  /// splits it).
  private func widenedLinear(
    _ output: UnsafeMutablePointer<Float>, _ weight: UnsafePointer<UInt16>, rows: Int, inDim: Int, outDim: Int,
    accumulate: Bool, threads: Int, widenInput: (UnsafeMutablePointer<Float>, Range<Int>) -> Void
  ) {
    guard rows > 0, outDim > 0 else { return }
    if inDim == 0 {
      if !accumulate { output.update(repeating: 0, count: rows * outDim) }
      return
    }
    widenedInput.grow(to: rows * inDim, repeating: 0)
    let input = widenedInput.pointer
    parallelChunks(rows * inDim, workers: max(1, min(threads, rows * inDim / (1 << 16)))) { _, e in
      widenInput(input + e.lowerBound, e)
    }
    let blockRows = max(1, min(outDim, Self.widenedBlockElements / max(inDim, 1)))
    widenedWeight.grow(to: blockRows * inDim, repeating: 0)
    let w = widenedWeight.pointer
    var start = 0
    while start < outDim {
      let n = min(blockRows, outDim - start)
      let source = weight + start * inDim
      parallelChunks(n * inDim, workers: max(1, min(threads, n * inDim / (1 << 16)))) { _, e in
        bae_float_from_bfloat16(w + e.lowerBound, source + e.lowerBound, e.count)
      }
      gemm(
        output + start, ldc: outDim, input, lda: inDim, w, ldb: inDim, transposeB: true,
        m: rows, n: n, k: inDim, beta: accumulate ? 1 : 0, threads: threads)
      start += n
    }
  }

  private static func execute(
    _ p: Primitive, engine: dnnl_engine_t, worker: Worker, source: UnsafeMutableRawPointer,
    weights: UnsafeMutableRawPointer, destination: UnsafeMutablePointer<Float>
  ) throws(MatmulError) {
    var memories: [dnnl_memory_t?] = [nil, nil, nil, nil]
    defer { for m in memories where m != nil { dnnl_memory_destroy(m) } }
    try checkDNNL(dnnl_memory_create(&memories[0], &p.source, engine, source), "dnnl_memory_create")
    try checkDNNL(dnnl_memory_create(&memories[1], &p.weights, engine, weights), "dnnl_memory_create")
    try checkDNNL(dnnl_memory_create(&memories[2], &p.destination, engine, destination), "dnnl_memory_create")
    try checkDNNL(dnnl_memory_create(&memories[3], &p.scratchpad, engine, worker.scratch), "dnnl_memory_create")
    var arguments = [
      dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: memories[0]),
      dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: memories[1]),
      dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: memories[2]),
      dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memories[3]),
    ]
    try checkDNNL(dnnl_primitive_execute(p.primitive, worker.stream, 4, &arguments), "dnnl_primitive_execute")
    try checkDNNL(dnnl_stream_wait(worker.stream), "dnnl_stream_wait")
  }
}

/// Makes oneDNN primitives created or executed on the calling thread single-threaded (OpenMP's
/// thread count is kept per thread; see ``BFloat16GEMM``).
@inline(__always)
func runOneDNNSingleThreaded() {
  if omp_get_max_threads() != 1 { omp_set_num_threads(1) }
}
