import Checkpoints
import Foundation
import TensorCore
import TestSupport
import Testing

/// The writer's files read back exactly, in every float dtype, with metadata.
@Suite struct SafetensorsWriterTests {
  @Test func roundTripsAllDTypes() throws {
    let url = try ScratchDirectory().url("t.safetensors")
    var rng = SeededRandom(seed: 9)
    let values = rng.floats(24, scale: 4)
    var writer = SafetensorsWriter(metadata: ["model": "x", "quote\"d": "line\nbreak"])
    writer.add("f32", floats: values, shape: [4, 6])
    writer.add("f16", floats: values, shape: [24], as: .float16)
    writer.add("bf16", floats: values, shape: [2, 12], as: .bfloat16)
    writer.add("ids", int32s: [1, -2, 3], shape: [3])
    writer.add("offsets", int64s: [7, 8], shape: [2])
    try writer.write(to: url)
    let file = try SafetensorsFile(url)
    #expect(file.metadata == ["model": "x", "quote\"d": "line\nbreak"])
    #expect(try file.floats("f32") == values)
    #expect(maxAbsDiff(try file.floats("f16"), values) <= 4e-3)
    #expect(maxAbsDiff(try file.floats("bf16"), values) <= 3e-2)
    #expect(try file.int32s("ids") == [1, -2, 3])
    #expect(try file.int32s("offsets") == [7, 8])
    #expect(file.info(for: "bf16")?.shape == [2, 12])
    // Data starts 8-byte aligned.
    let headerLength = try Data(contentsOf: url).prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    #expect(headerLength % 8 == 0)
  }
}
