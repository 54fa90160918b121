import Foundation
import JSONSupport

extension ICLTask {
  /// The names of the tasks in `directories` (each `<name>.jsonl` with its
  /// `<name>.template.json`), sorted, without repeats. Unreadable directories are skipped.
  public static func available(in directories: [URL]) -> [String] {
    var names = Set<String>()
    for directory in directories {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
      for file in files where file.hasSuffix(examplesSuffix) {
        let name = String(file.dropLast(examplesSuffix.count))
        if !name.isEmpty, files.contains(name + templateSuffix) { names.insert(name) }
      }
    }
    return names.sorted()
  }

  /// Loads task `name` from the first of `searchDirectories` that holds its files.
  ///
  /// - Parameters:
  ///   - name: the task's name as StaICC names it (`sst2`, `rotten_tomatoes`, `financial_phrasebank`).
  ///   - searchDirectories: directories to look in, in order.
  /// - Throws: ``ICLError/unknownTask(name:available:searched:)`` listing the tasks found when
  ///   no directory has `name`; ``ICLError/incompleteTask(name:found:missing:)`` when a
  ///   directory has only one of the two files; the errors of ``load(jsonl:)``.
  public static func load(name: String, searchDirectories: [URL]) throws(ICLError) -> ICLTask {
    let isPlainName = !name.isEmpty && name != "." && name != ".." && !name.contains("/")
    if isPlainName {
      for directory in searchDirectories {
        let examples = directory.appendingPathComponent(name + examplesSuffix)
        let template = directory.appendingPathComponent(name + templateSuffix)
        let fm = FileManager.default
        switch (fm.fileExists(atPath: examples.path), fm.fileExists(atPath: template.path)) {
        case (true, true): return try load(name: name, examples: examples, template: template)
        case (true, false): throw .incompleteTask(name: name, found: examples.path, missing: template.path)
        case (false, true): throw .incompleteTask(name: name, found: template.path, missing: examples.path)
        case (false, false): continue
        }
      }
    }
    throw .unknownTask(
      name: name, available: available(in: searchDirectories), searched: searchDirectories.map(\.path))
  }

  /// Loads a task from its examples file; the template is `<stem>.template.json` next to it
  /// (`my-task.jsonl` → `my-task.template.json`), and the task's name is the stem.
  ///
  /// - Throws: ``ICLError/incompleteTask(name:found:missing:)`` without the template; for the
  ///   examples ``ICLError/unreadableFile(path:reason:)``, ``ICLError/fileTooLarge(path:limit:)``,
  ///   ``ICLError/lineTooLong(path:line:limit:)``, ``ICLError/malformedLine(path:line:reason:)``,
  ///   ``ICLError/labelOutOfRange(path:line:label:labelCount:)``, ``ICLError/emptyTask(path:)``;
  ///   for the template ``ICLError/malformedTemplate(path:reason:)``,
  ///   ``ICLError/unknownTemplateKey(path:key:suggestion:)``, ``ICLError/invalidTemplate(path:reason:)``.
  public static func load(jsonl: URL) throws(ICLError) -> ICLTask {
    let file = jsonl.lastPathComponent
    let name =
      file.hasSuffix(examplesSuffix)
      ? String(file.dropLast(examplesSuffix.count)) : jsonl.deletingPathExtension().lastPathComponent
    let template = jsonl.deletingLastPathComponent().appendingPathComponent(name + templateSuffix)
    guard FileManager.default.fileExists(atPath: template.path) else {
      throw .incompleteTask(name: name, found: jsonl.path, missing: template.path)
    }
    return try load(name: name, examples: jsonl, template: template)
  }

  private static func load(name: String, examples: URL, template: URL) throws(ICLError) -> ICLTask {
    let template = try readTemplate(template)
    return ICLTask(
      checkedName: name, template: template, examples: try readExamples(examples, labelCount: template.labels.count))
  }

  /// Decodes and validates a template file.
  static func readTemplate(_ url: URL) throws(ICLError) -> ICLTemplate {
    let data = try readBounded(url, limit: maximumTemplateSize)
    let decoder = JSONDecoder()
    decoder.userInfo[ICLTemplate.fileUserInfoKey] = url.path
    do {
      return try decoder.decode(ICLTemplate.self, from: data)
    } catch let error as ICLError {
      throw error
    } catch let error as DecodingError {
      throw .malformedTemplate(path: url.path, reason: error.plainDescription)
    } catch {
      throw .malformedTemplate(path: url.path, reason: "\(error)")
    }
  }

  /// Reads the examples of a JSON Lines file: one object `{"text": String, "label": Int}` per
  /// line (other members are ignored, blank lines skipped), `label` in `0..<labelCount`.
  static func readExamples(_ url: URL, labelCount: Int) throws(ICLError) -> [ICLExample] {
    let path = url.path
    let data = try readBounded(url, limit: maximumFileSize)
    var examples: [ICLExample] = []
    for (offset, rawLine) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
      let lineNumber = offset + 1
      var line = rawLine
      if line.last == 0x0D { line = line.dropLast() }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      guard line.count <= maximumLineLength else {
        throw .lineTooLong(path: path, line: lineNumber, limit: maximumLineLength)
      }
      let example: ICLExample
      do throws(JSONError) {
        let root = try JSONElement.parse(Data(line), document: path)
        example = ICLExample(text: try root.required("text").string(), label: try root.required("label").int())
      } catch {
        let reason: String
        if case .invalidJSON = error.problem {
          reason = "not valid JSON"
        } else {
          reason = error.path == "$" ? "the line is \(error.reason)" : "`\(error.path)`: \(error.reason)"
        }
        throw .malformedLine(path: path, line: lineNumber, reason: reason)
      }
      guard (0..<labelCount).contains(example.label) else {
        throw .labelOutOfRange(path: path, line: lineNumber, label: example.label, labelCount: labelCount)
      }
      examples.append(example)
    }
    guard !examples.isEmpty else { throw .emptyTask(path: path) }
    return examples
  }

  /// The bytes of `url`, refusing files over `limit` bytes without reading more than `limit + 1`.
  private static func readBounded(_ url: URL, limit: Int) throws(ICLError) -> Data {
    do {
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      let data = try handle.read(upToCount: limit + 1) ?? Data()
      guard data.count <= limit else { throw ICLError.fileTooLarge(path: url.path, limit: limit) }
      return data
    } catch let error as ICLError {
      throw error
    } catch {
      throw .unreadableFile(path: url.path, reason: (error as NSError).localizedDescription)
    }
  }
}
