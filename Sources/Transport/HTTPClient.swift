import CCurl
import RunControl
import Foundation

/// The one HTTP client of `bae`: libcurl's easy interface, one handle per request.
///
/// ``perform(_:toFile:progress:cancellation:)`` blocks the calling thread; ``send(_:)`` runs it
/// on a thread of its own and suspends until it ends, so libcurl never blocks Swift concurrency's
/// cooperative pool (one thread per request in flight; callers bound how many are).
///
/// Redirects are followed up to ``Configuration/maximumRedirects``; libcurl drops
/// `Authorization` when a redirect leads to another host. Proxies come from the usual
/// environment variables (`https_proxy`, `no_proxy`). Nothing is logged.
public final class HTTPClient: HTTPTransport, Sendable {
  /// Limits shared by every request of the client.
  public struct Configuration: Sendable, Equatable {
    /// Time limits for requests that do not set their own.
    public var timeouts: HTTPTimeouts
    /// Redirects followed before failing with ``TransportError/tooManyRedirects(url:limit:)``.
    public var maximumRedirects: Int
    /// Largest body held in memory (bodies written to files have no limit).
    public var maximumBodyBytes: Int
    /// The `User-Agent` header.
    public var userAgent: String

    /// Limits; see the properties.
    public init(
      timeouts: HTTPTimeouts = HTTPTimeouts(), maximumRedirects: Int = 10, maximumBodyBytes: Int = 64 << 20,
      userAgent: String = "bae/0.1 (libcurl)"
    ) {
      self.timeouts = timeouts
      self.maximumRedirects = maximumRedirects
      self.maximumBodyBytes = maximumBodyBytes
      self.userAgent = userAgent
    }
  }

  /// The client's limits.
  public let configuration: Configuration

  /// A client with `configuration`.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Sends `request` on a thread of its own; the body comes back in memory. Cancelling the
  /// calling task stops the transfer within about a second.
  ///
  /// - Throws: ``TransportError``; an HTTP error status is a response, not an error.
  public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
    try await send(request, toFile: nil)
  }

  /// Sends `request` on a thread of its own, writing a `2xx` body to `file` as
  /// ``perform(_:toFile:progress:cancellation:)`` does. Cancelling the calling task stops the
  /// transfer within about a second.
  ///
  /// - Throws: ``TransportError``; an HTTP error status is a response, not an error.
  public func send(
    _ request: HTTPRequest, toFile file: FileHandle?, progress: (@Sendable (Int64) -> Void)? = nil
  ) async throws(TransportError) -> HTTPResponse {
    let flag = Cancellation()
    let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let thread = Thread {
          continuation.resume(
            returning: Result { () throws(TransportError) -> HTTPResponse in
              try self.perform(request, toFile: file, progress: progress, cancellation: flag)
            })
        }
        thread.name = "bae-http"
        thread.start()
      }
    } onCancel: {
      flag.cancel(reason: .requested)
    }
    return try result.get()
  }

  /// Sends `request` and waits for the response, blocking the calling thread (use it from a
  /// thread of your own, or through ``send(_:)``).
  ///
  /// - Parameters:
  ///   - request: what to send.
  ///   - file: an open, writable file that receives a `2xx` body: a `206` answer is written at
  ///     its `Content-Range` start, a `200` answer replaces the file's contents. Error bodies
  ///     stay in memory. `nil` keeps every body in memory.
  ///   - progress: called with the file's length so far after each write to `file`.
  ///   - cancellation: a flag another thread may set to stop the transfer.
  /// - Throws: ``TransportError``; an HTTP error status is a response, not an error.
  public func perform(
    _ request: HTTPRequest, toFile file: FileHandle? = nil, progress: ((Int64) -> Void)? = nil,
    cancellation: Cancellation? = nil
  ) throws(TransportError) -> HTTPResponse {
    let shownURL = HTTPRequest.displayURL(request.url)
    guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
      throw .invalidURL(url: shownURL, reason: "only http and https URLs are supported")
    }
    guard CurlGlobal.ready == CURLE_OK else {
      throw .failed(url: shownURL, code: Int(CurlGlobal.ready.rawValue), reason: "curl_global_init failed")
    }
    guard let handle = curl_easy_init() else {
      throw .failed(url: shownURL, code: -1, reason: "curl_easy_init failed")
    }
    defer { curl_easy_cleanup(handle) }

    let state = TransferState(
      file: file.map { TransferState.FileTarget(descriptor: $0.fileDescriptor, progress: progress) },
      bodyLimit: configuration.maximumBodyBytes, cancellation: cancellation)
    let timeouts = request.timeouts ?? configuration.timeouts
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var headerList: UnsafeMutablePointer<curl_slist>?
    defer { curl_slist_free_all(headerList) }

    let code: CURLcode = withExtendedLifetime(state) {
      errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
        let userdata = Unmanaged.passUnretained(state).toOpaque()
        _ = bae_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
        _ = bae_curl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        // Threads and signals do not mix: no SIGALRM for DNS time-outs.
        _ = bae_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = bae_curl_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent)
        _ = bae_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        _ = bae_curl_setopt_long(handle, CURLOPT_MAXREDIRS, configuration.maximumRedirects)
        _ = bae_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(timeouts.connect))
        _ = bae_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeouts.total.map(Self.milliseconds) ?? 0)
        if let stall = timeouts.lowSpeedSeconds {
          _ = bae_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, max(1, timeouts.lowSpeedBytesPerSecond))
          _ = bae_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall.rounded(.up))))
        }
        // Accept gzip and deflate; libcurl decodes them.
        _ = bae_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")

        switch request.method {
        case .get: break
        case .head: _ = bae_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case .post, .put, .delete:
          _ = bae_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        if let body = request.body {
          _ = bae_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
          body.withUnsafeBytes { raw in
            // COPYPOSTFIELDS copies the bytes, so they need not outlive this call.
            let pointer = UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
            _ = bae_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer)
          }
        }

        var headers = request.headers
        // Without this libcurl waits up to a second for `100 Continue` before larger bodies.
        if headers["Expect"] == nil { headers.add("Expect", "") }
        if let start = request.rangeStart { headers.set("Range", "bytes=\(start)-") }
        for field in headers {
          headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        _ = bae_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        _ = bae_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = bae_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata)
        _ = bae_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = bae_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata)
        _ = bae_curl_setopt_xferinfo_function(handle, curlProgressCallback)
        _ = bae_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata)
        _ = bae_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)

        return curl_easy_perform(handle)
      }
    }

    guard code == CURLE_OK else {
      let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
      throw Self.error(
        code: code, reason: reason, url: shownURL, state: state, timeouts: timeouts,
        redirectLimit: configuration.maximumRedirects, handle: handle)
    }
    var effective: UnsafeMutablePointer<CChar>?
    _ = bae_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
    let finalURL = effective.flatMap { URL(string: String(cString: $0)) } ?? request.url
    var status = 0
    _ = bae_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
    return HTTPResponse(
      status: status == 0 ? state.status : status, headers: state.headers, body: state.body, url: finalURL,
      bytesWrittenToFile: state.writtenToFile)
  }

  private static func milliseconds(_ seconds: Double) -> Int { max(1, Int((seconds * 1000).rounded())) }

  private static func error(
    code: CURLcode, reason: String, url: String, state: TransferState, timeouts: HTTPTimeouts, redirectLimit: Int,
    handle: UnsafeMutableRawPointer
  ) -> TransportError {
    switch code {
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
      return .invalidURL(url: url, reason: reason)
    case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
      return .unreachable(url: url, reason: reason)
    case CURLE_OPERATION_TIMEDOUT:
      var connectTime = 0.0
      _ = bae_curl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &connectTime)
      if connectTime == 0 && state.status == 0 {
        return .timedOut(url: url, limit: "connect \(HTTPTimeouts.seconds(timeouts.connect))")
      }
      return .timedOut(url: url, limit: timeouts.summary)
    case CURLE_ABORTED_BY_CALLBACK:
      return .cancelled(url: url)
    case CURLE_TOO_MANY_REDIRECTS:
      return .tooManyRedirects(url: url, limit: redirectLimit)
    case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
      return .connectionLost(url: url, reason: reason)
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
      CURLE_SSL_CACERT_BADFILE:
      return .tls(url: url, reason: reason)
    case CURLE_WRITE_ERROR:
      switch state.writeFailure {
      case .tooLarge: return .responseTooLarge(url: url, limit: state.bodyLimit)
      case .file(let why): return .file(url: url, reason: why)
      case nil: return .failed(url: url, code: Int(code.rawValue), reason: reason)
      }
    default:
      return .failed(url: url, code: Int(code.rawValue), reason: reason)
    }
  }
}
