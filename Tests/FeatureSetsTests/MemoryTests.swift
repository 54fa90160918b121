import FeatureSets
import Foundation
import HookPoints
import TensorCore
import Testing

/// Reading a set much larger than the memory bound keeps resident memory bounded.
///
/// Resident memory is a property of the whole process, and Swift Testing runs tests in
/// parallel in one process (every test target of the package, in a full `swift test`), so
/// another test's allocations would land in the figures. The parent test therefore writes the
/// set and measures in a child process: this same test binary, run with a filter that selects
/// only ``measureInChild()``, which is enabled only there (by an environment variable naming
/// the set). The parent relays the child's `[features-memory]` lines and checks it passed.
@Suite struct MemoryTests {
  /// The environment variable that carries the set's directory to the child.
  static let childVariable = "BAE_FEATURES_MEMORY_SET"
  static let hook = HookPoint.residualPost(layer: 0)
  /// 2 shards × 6400 rows × 8192 floats × 4 bytes ≈ 2 × 200 MiB.
  static let width = 8192
  static let shardRows = 6400
  static let shards = 2
  static let batchSize = 256
  static let bufferRows = 512

  /// Row `row`, column `column` of the set.
  static func value(row: Int, column: Int) -> Float { Float(row) + Float(column) * 0x1p-13 }

  @Test(.timeLimit(.minutes(3)))
  func memoryStaysBounded() throws {
    let directory = scratchDirectory("memory")
    defer { try? FileManager.default.removeItem(at: directory) }
    let clock = ContinuousClock()
    let start = clock.now
    try Self.writeSet(to: directory)
    print("[features-memory] wrote the set in \(clock.now - start)")

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = ["--testing-library", "swift-testing", "--filter", "MemoryTests/measureInChild"]
    process.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: directory.path]) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let figures = output.split(separator: "\n").filter { $0.hasPrefix("[features-memory]") }
    for line in figures { print(line) }
    #expect(process.terminationStatus == 0, "child failed:\n\(output.suffix(4000))")
    #expect(figures.count == 2, "the child printed no figures (did it run?):\n\(output.suffix(4000))")
  }

  /// Two full passes (sequential, shuffled) over the set named by the environment, sampling
  /// `/proc/self/status` every 4 batches; the growth over the figures taken just before each
  /// pass must stay under 64 MiB + 4 batches (+ the shuffle buffer), far below the set's size.
  @Test(
    .enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil, "runs in the child of memoryStaysBounded"))
  func measureInChild() throws {
    let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment[Self.childVariable]!)
    let set = try FeatureSet(directory: directory)
    let rowBytes = Self.width * 4
    let setBytes = set.rowCount * rowBytes
    for (label, order, extra) in [
      ("sequential", ReadOrder.sequential, 0),
      ("shuffled", .shuffled(seed: 7, bufferRows: Self.bufferRows), Self.bufferRows * rowBytes),
    ] {
      let bound = (64 << 20) + 4 * Self.batchSize * rowBytes + extra
      let baseline = try MemoryStatus.current()
      var peak = baseline
      var batches = try set.batches(of: [Self.hook], batchSize: Self.batchSize, order: order)
      var rows = 0
      var count = 0
      var tokens = Set<Int32>()
      while let batch = try batches.next() {
        let values = batch.values[0]
        for (i, token) in batch.tokenIDs.enumerated() {
          let row = Int(token)
          #expect(
            values[i, 0] == Self.value(row: row, column: 0) && values[i, 8191] == Self.value(row: row, column: 8191))
        }
        tokens.formUnion(batch.tokenIDs)
        rows += batch.rows
        count += 1
        if count % 4 == 0 { peak = peak.maximum(try MemoryStatus.current()) }
      }
      #expect(rows == set.rowCount && tokens.count == set.rowCount)
      let growth = peak.minus(baseline)
      print(
        "[features-memory] \(label): \(rows) rows, \(setBytes >> 20) MiB of F32 in \(count) batches of \(Self.batchSize); "
          + "peak growth VmRSS +\(growth.residentKiB >> 10) MiB, RssAnon +\(growth.anonymousKiB >> 10) MiB, "
          + "RssFile +\(growth.fileKiB >> 10) MiB (bound \(bound >> 20) MiB; baseline VmRSS \(baseline.residentKiB >> 10) MiB)"
      )
      #expect(growth.residentKiB * 1024 < bound, "VmRSS grew by \(growth.residentKiB) KiB")
      #expect(
        growth.fileKiB * 1024 < 16 << 20, "mapped shard pages stayed resident: RssFile grew by \(growth.fileKiB) KiB")
    }
  }

  /// Writes the set, one shard buffer at a time.
  static func writeSet(to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let hooks = [HookRecord(point: hook, width: width)]
    let writer = ShardWriter(directory: directory, hooks: hooks, dtype: .float32, format: .safetensors, metadata: [:])
    var manifest = SyntheticFeatureSet.manifest(hooks: hooks, dtype: .float32, format: .safetensors)
    var buffer = ShardBuffer(hookCount: 1)
    for shard in 0..<shards {
      buffer.removeAll()
      let rows = (shard * shardRows)..<((shard + 1) * shardRows)
      buffer.hookValues[0] = [Float](unsafeUninitializedCapacity: shardRows * width) { values, initialized in
        for (i, row) in rows.enumerated() {
          for column in 0..<width { values[i * width + column] = value(row: row, column: column) }
        }
        initialized = shardRows * width
      }
      for row in rows {
        buffer.tokenIDs.append(Int32(row))
        buffer.documentIndex.append(Int64(row / 100))
        buffer.positions.append(Int32(row % 100))
      }
      manifest.shards.append(try writer.write(buffer, index: shard))
      manifest.totalTokens += shardRows
    }
    manifest.complete = true
    try manifest.write(to: directory)
  }
}

/// Resident-memory figures of this process from `/proc/self/status`, in KiB.
struct MemoryStatus {
  var residentKiB: Int
  var anonymousKiB: Int
  var fileKiB: Int

  static func current() throws -> MemoryStatus {
    let text = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    func field(_ name: String) -> Int {
      guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
      return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? "")
        ?? 0
    }
    return MemoryStatus(residentKiB: field("VmRSS"), anonymousKiB: field("RssAnon"), fileKiB: field("RssFile"))
  }

  func maximum(_ other: MemoryStatus) -> MemoryStatus {
    MemoryStatus(
      residentKiB: max(residentKiB, other.residentKiB), anonymousKiB: max(anonymousKiB, other.anonymousKiB),
      fileKiB: max(fileKiB, other.fileKiB))
  }

  func minus(_ other: MemoryStatus) -> MemoryStatus {
    MemoryStatus(
      residentKiB: residentKiB - other.residentKiB, anonymousKiB: anonymousKiB - other.anonymousKiB,
      fileKiB: fileKiB - other.fileKiB)
  }
}
