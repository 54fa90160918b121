import ArgumentParser
import Foundation
import Studies

/// A failure the CLI reports as one line, exiting with status 1.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs `body`, turning library errors into one-line errors: a usage error (exit 64) when the
/// library found fault with an option the user gave (``isOptionError(_:)``), else a
/// ``CommandError`` (exit 1).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as CommandError {
    throw error
  } catch let error as ValidationError {
    throw error
  } catch {
    if isOptionError(error) { throw ValidationError(String(describing: error)) }
    throw CommandError(String(describing: error))
  }
}

/// Whether `error` is the library refusing a value the user chose on the command line (a task
/// or layer that does not exist, a k the task cannot serve, a threshold outside its range), as
/// opposed to a file or a computation failing. Such errors exit 64 like the parser's own
/// (README, "Exit status").
func isOptionError(_ error: any Error) -> Bool {
  switch error {
  case let error as EvaluationError:
    if case .invalidOption = error { return true }
  case let error as ICLError:
    switch error {
    case .unknownTask, .notEnoughExamples, .negativeDemonstrationCount, .invalidPromptCount: return true
    default: break
    }
  case let error as ICLStudyError:
    switch error {
    case .layers, .emptyGrid: return true
    default: break
    }
  case let error as PositionStudyError:
    switch error {
    case .invalidOption, .noGroups, .groupsOverlap, .groupBeyondContext, .layers: return true
    default: break
    }
  default: break
  }
  return false
}

/// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
