import Foundation

/// A failure the CLI reports as one line, exiting with status 1.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs `body`, turning library errors into one-line ``CommandError``s.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as CommandError {
    throw error
  } catch {
    throw CommandError(String(describing: error))
  }
}

/// The text of `--text` or the contents of `--file`/`--prompt-file`.
func readText(text: String?, file: String?) throws -> String {
  if let text { return text }
  guard let file else { throw CommandError("no text given") }
  guard let data = FileManager.default.contents(atPath: file) else {
    throw CommandError("\(file): cannot read file")
  }
  guard let string = String(data: data, encoding: .utf8) else {
    throw CommandError("\(file): not valid UTF-8 text")
  }
  return string
}
