import CCurl

/// libcurl's process-wide set-up, run once before the first handle is made.
///
/// `curl_global_init` is not thread-safe; a `static let` is initialised exactly once, under a
/// lock, by the Swift runtime, so every thread that reads ``ready`` waits for that one call.
enum CurlGlobal {
  /// The result of `curl_global_init(CURL_GLOBAL_ALL)`.
  static let ready: CURLcode = curl_global_init(Int(CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32))
}
