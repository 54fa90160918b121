import Checkpoints
import Foundation
import TestSupport
import Testing

/// Files written through `AtomicFile` appear only complete; failures leave nothing behind.
@Suite struct AtomicFileTests {
  func names(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
  }

  @Test func oneShotWriteCreatesAndReplaces() throws {
    let scratch = try ScratchDirectory()
    let file = scratch.url("a.json")
    try AtomicFile.write(Data("old".utf8), to: file)
    try AtomicFile.write(Data("new contents".utf8), to: file)
    #expect(try Data(contentsOf: file) == Data("new contents".utf8))
    #expect(try names(in: scratch.url) == ["a.json"])
  }

  @Test func streamedFileAppearsOnlyWhenComplete() throws {
    let scratch = try ScratchDirectory()
    let file = scratch.url("shard.bin")
    try AtomicFile.write(Data("previous".utf8), to: file)
    var observed = Data()
    let written = try AtomicFile.write(to: file, observe: { observed.append($0) }) { sink in
      try sink(Data([1, 2, 3]))
      // Mid-write, readers still see the old file; the new bytes sit in a hidden temporary.
      #expect(try Data(contentsOf: file) == Data("previous".utf8))
      let others = try names(in: scratch.url).filter { $0 != "shard.bin" }
      #expect(others.count == 1)
      #expect(others.allSatisfy { AtomicFile.isTemporaryFile($0) && $0.hasPrefix(".shard.bin.partial-") })
      try sink(Data([4, 5]))
    }
    #expect(written == 5)
    #expect(observed == Data([1, 2, 3, 4, 5]))
    #expect(try Data(contentsOf: file) == Data([1, 2, 3, 4, 5]))
    #expect(try names(in: scratch.url) == ["shard.bin"])
  }

  struct Interrupted: Error, Equatable {}

  @Test func thrownErrorRemovesTemporaryAndKeepsTarget() throws {
    let scratch = try ScratchDirectory()
    let kept = scratch.url("kept.bin")
    try AtomicFile.write(Data("keep me".utf8), to: kept)
    #expect(throws: Interrupted.self) {
      try AtomicFile.write(to: kept) { sink in
        try sink(Data(repeating: 7, count: 4096))
        throw Interrupted()
      }
    }
    #expect(try Data(contentsOf: kept) == Data("keep me".utf8))
    let fresh = scratch.url("fresh.bin")
    #expect(throws: Interrupted.self) {
      try AtomicFile.write(to: fresh) { sink in
        try sink(Data([1]))
        throw Interrupted()
      }
    }
    #expect(!FileManager.default.fileExists(atPath: fresh.path))
    #expect(try names(in: scratch.url) == ["kept.bin"])
  }

  @Test func unwritableDirectoryNamesFileAndReason() throws {
    let file = try ScratchDirectory().url("missing/dir/x.json")
    do {
      try AtomicFile.write(Data("{}".utf8), to: file)
      Issue.record("writing into a missing directory succeeded")
    } catch {
      #expect(error.file == file)
      #expect(error.reason.contains("cannot create"))
      #expect(error.description.hasPrefix(file.path))
    }
  }

  @Test func safetensorsWriterLeavesNoTemporary() throws {
    let scratch = try ScratchDirectory()
    var writer = SafetensorsWriter()
    writer.add("x", floats: [1, 2, 3], shape: [3])
    try writer.write(to: scratch.url("x.safetensors"))
    #expect(try names(in: scratch.url) == ["x.safetensors"])
    #expect(try SafetensorsFile(scratch.url("x.safetensors")).floats("x") == [1, 2, 3])
  }
}
