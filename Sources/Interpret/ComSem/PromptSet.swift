import Foundation

/// ComSem's prompts (`bae-method.md` §8), read from text files: the ones shipped in this
/// module's `Resources/`, or a directory of the same five files.
///
/// | file | role | placeholders |
/// | --- | --- | --- |
/// | `explain-system.txt` | system message of the explanation request | none |
/// | `explain-user.txt` | instructions with worked examples, then the samples and `The commonality is:` | `{samples}` |
/// | `sample.txt` | one record: `Token: {token} at position {position} in sentence: "{sentence}". ` | `{token}` `{position}` `{sentence}` |
/// | `judge-system.txt` | system message of each yes/no question | none |
/// | `judge-user.txt` | instructions with worked examples, ending `Candidate description: "{interpretation}"` and `Answer:` | `{sample}` `{interpretation}` |
///
/// One trailing newline of a file is dropped; everything else (a sample line's trailing space)
/// is kept. The judge is only ever asked for a phrase or a yes/no, never for numbers.
public struct PromptSet: Sendable, Equatable {
  public static let fileNames = [
    "explain-system.txt", "explain-user.txt", "sample.txt", "judge-system.txt", "judge-user.txt",
  ]

  public var explainSystem: String
  public var explainUser: PromptTemplate
  public var sample: PromptTemplate
  public var judgeSystem: String
  public var judgeUser: PromptTemplate

  /// The prompts shipped with `bae`.
  ///
  /// - Throws: ``InterpretError/invalidPrompt(file:reason:)`` when the resources are missing.
  public static func bundled() throws(InterpretError) -> PromptSet {
    try load(from: bundledDirectory())
  }

  /// Where SwiftPM puts this module's resources: `bae_Interpret.resources/Resources` next to the
  /// executable. Looked up by hand because `Bundle.module` stops the process when the folder is
  /// missing (a `bae` binary copied elsewhere without it).
  static func bundledDirectory() throws(InterpretError) -> URL {
    let bundleName = "bae_Interpret.resources"
    var candidates = [Bundle.main.bundleURL]
    if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
    }
    for base in candidates {
      let directory = base.appendingPathComponent(bundleName).appendingPathComponent("Resources")
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent(fileNames[0]).path) {
        return directory
      }
    }
    throw .invalidPrompt(
      file: bundleName,
      reason: "the prompt files are not installed next to bae; copy \(bundleName) beside the binary or pass a prompt directory")
  }

  /// The five files of `directory`.
  ///
  /// - Throws: ``InterpretError/invalidPrompt(file:reason:)`` for a missing file or a wrong
  ///   placeholder.
  public static func load(from directory: URL) throws(InterpretError) -> PromptSet {
    func text(_ name: String) throws(InterpretError) -> (String, String) {
      let url = directory.appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw .invalidPrompt(file: url.path, reason: "missing")
      }
      var text = String(decoding: data, as: UTF8.self)
      if text.hasSuffix("\n") { text.removeLast() }
      return (text, url.path)
    }
    func template(_ name: String, _ names: Set<String>) throws(InterpretError) -> PromptTemplate {
      let (body, path) = try text(name)
      return try PromptTemplate(body, file: path, allowed: names, required: names)
    }
    return PromptSet(
      explainSystem: try text("explain-system.txt").0,
      explainUser: try template("explain-user.txt", ["samples"]),
      sample: try template("sample.txt", ["token", "position", "sentence"]),
      judgeSystem: try text("judge-system.txt").0,
      judgeUser: try template("judge-user.txt", ["sample", "interpretation"]))
  }

  /// One record as a prompt line.
  public func sampleLine(_ sample: RecordSample) -> String {
    self.sample.render(["token": sample.token, "position": "\(sample.position)", "sentence": sample.sentence])
  }

  /// The user message asking for the commonality of `samples`.
  public func explanation(_ samples: [RecordSample]) -> String {
    explainUser.render(["samples": samples.map(sampleLine).joined(separator: "\n")])
  }

  /// The user message asking whether `sample` fits `interpretation`.
  public func question(_ sample: RecordSample, interpretation: String) -> String {
    judgeUser.render(["sample": sampleLine(sample), "interpretation": interpretation])
  }
}

/// A record as the prompts show it.
public struct RecordSample: Sendable, Equatable {
  public var token: String
  public var position: Int
  public var sentence: String

  public init(token: String, position: Int, sentence: String) {
    self.token = token
    self.position = position
    self.sentence = sentence
  }
}
