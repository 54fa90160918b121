import ChatAPI
import Foundation
import Interpret

/// An in-process judge for tests. Explanations: the first sample's token (trimmed) followed by
/// " things". Questions: " Yes\n" when the description's first word occurs in the asked token,
/// "maybe" when the token contains "maybe", else "no". Each answer costs 10 + 1 tokens. It can
/// fail every request about a token containing `failOn`.
final class FakeJudge: JudgeClient, @unchecked Sendable {
  private let lock = NSLock()
  private var _requests: [ChatCompletionRequest] = []
  let failOn: String?

  init(failOn: String? = nil) { self.failOn = failOn }

  var requests: [ChatCompletionRequest] { lock.withLock { _requests } }

  /// The quoted token of the last `Token: … at position` line of `text`.
  static func lastToken(_ text: String) -> String {
    let line = text.components(separatedBy: "\n").last { $0.hasPrefix("Token: ") }!
    let body = line.dropFirst("Token: ".count)
    return String(body[..<body.range(of: " at position ")!.lowerBound])
  }

  func complete(_ request: ChatCompletionRequest) async throws(JudgeError) -> JudgeAnswer {
    lock.withLock { _requests.append(request) }
    let user = request.messages.last!.content
    let usage = TokenUsage(promptTokens: 10, completionTokens: 1)
    if let failOn, Self.lastToken(user).contains(failOn) {
      throw .http(url: "fake", status: 500, message: "told to fail")
    }
    if request.messages[0].content.contains("interpreting") {
      // The explanation prompt's examples come first; the feature's samples follow the last
      // "Now the tokens" line.
      let samples = user.components(separatedBy: "Now the tokens")[1]
      let first = samples.components(separatedBy: "\n").first { $0.hasPrefix("Token: ") }!
      let token = Self.lastToken(first).trimmingCharacters(in: .whitespaces)
      return JudgeAnswer(text: " \(token) things\nsecond line", usage: usage, fromCache: false)
    }
    let description = user.components(separatedBy: "Candidate description: \"").last!
    let word = String(description.prefix { $0 != " " && $0 != "\"" })
    let token = Self.lastToken(user)
    let text = token.contains(word) ? " Yes\n" : token.contains("maybe") ? "maybe" : "no"
    return JudgeAnswer(text: text, usage: usage, fromCache: false)
  }
}
