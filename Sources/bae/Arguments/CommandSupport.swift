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
