import CCurl
import RunControl
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a response's `2xx` body goes while one transfer runs.
final class TransferState {
  /// A file the `2xx` body is written to, at the offset the response says (`206`: its
  /// `Content-Range` start; `200`: the start, after truncating the file).
  struct FileTarget {
    var descriptor: Int32
    var progress: ((Int64) -> Void)?
  }

  let file: FileTarget?
  let bodyLimit: Int
  let cancellation: Cancellation?

  var status = 0
  var headers = HTTPHeaders()
  var body = Data()
  var writtenToFile: Int64 = 0
  /// Where the next file write goes; set from the first body bytes.
  var fileOffset: Int64?
  /// Why a write callback refused the data (libcurl then reports CURLE_WRITE_ERROR).
  var writeFailure: WriteFailure?

  enum WriteFailure {
    case tooLarge
    case file(String)
  }

  init(file: FileTarget?, bodyLimit: Int, cancellation: Cancellation?) {
    self.file = file
    self.bodyLimit = bodyLimit
    self.cancellation = cancellation
  }

  /// One header line (with its CRLF); a status line starts a new response (a redirect, `100 Continue`).
  func receiveHeaderLine(_ line: String) {
    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.hasPrefix("HTTP/") {
      let parts = trimmed.split(separator: " ", maxSplits: 2)
      status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
      headers = HTTPHeaders()
      return
    }
    guard let colon = trimmed.firstIndex(of: ":") else { return }
    let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
    let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
    headers.add(name, value)
  }

  /// Body bytes; returns whether they were taken.
  func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
    if let file, (200..<300).contains(status) {
      return writeToFile(bytes, descriptor: file.descriptor, progress: file.progress)
    }
    guard body.count + bytes.count <= bodyLimit else {
      writeFailure = .tooLarge
      return false
    }
    body.append(contentsOf: bytes)
    return true
  }

  private func writeToFile(_ bytes: UnsafeRawBufferPointer, descriptor: Int32, progress: ((Int64) -> Void)?) -> Bool {
    if fileOffset == nil {
      if status == 206, let start = Self.contentRangeStart(headers["Content-Range"]) {
        fileOffset = start
      } else {
        // A whole entity (the server ignored the range, or none was asked): start over.
        guard ftruncate(descriptor, 0) == 0 else {
          writeFailure = .file("truncate: \(String(cString: strerror(errno)))")
          return false
        }
        fileOffset = 0
      }
    }
    guard let base = bytes.baseAddress else { return true }
    var done = 0
    while done < bytes.count {
      let count = pwrite(descriptor, base + done, bytes.count - done, off_t(fileOffset! + Int64(done)))
      if count < 0 {
        if errno == EINTR { continue }
        writeFailure = .file(String(cString: strerror(errno)))
        return false
      }
      done += count
    }
    fileOffset! += Int64(done)
    writtenToFile += Int64(done)
    progress?(fileOffset!)
    return true
  }

  /// `START` of `bytes START-END/TOTAL`.
  static func contentRangeStart(_ value: String?) -> Int64? {
    guard let value, value.lowercased().hasPrefix("bytes ") else { return nil }
    let range = value.dropFirst(6)
    guard let dash = range.firstIndex(of: "-") else { return nil }
    return Int64(range[..<dash].trimmingCharacters(in: .whitespaces))
  }
}

// libcurl's callbacks; `userdata` is the transfer's unretained `TransferState`.

let curlHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
  pointer, size, count, userdata in
  let length = size * count
  guard let pointer, let userdata else { return length }
  let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
  let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
  state.receiveHeaderLine(String(decoding: bytes, as: UTF8.self))
  return length
}

let curlWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
  pointer, size, count, userdata in
  let length = size * count
  guard let pointer, let userdata else { return length }
  let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
  // Returning anything other than `length` makes libcurl stop with CURLE_WRITE_ERROR.
  return state.receiveBody(UnsafeRawBufferPointer(start: pointer, count: length)) ? length : 0
}

let curlProgressCallback:
  @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
    -> Int32 = { userdata, _, _, _, _ in
      guard let userdata else { return 0 }
      let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
      // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
      return state.cancellation?.isCancelled == true ? 1 : 0
    }
