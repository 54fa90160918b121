import Foundation

/// One message of a chat conversation, as the OpenAI-compatible `/v1/chat/completions` API
/// carries it (`{"role": "user", "content": "…"}`).
public struct ChatMessage: Codable, Sendable, Equatable, Hashable {
  /// Who wrote the message.
  public enum Role: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case system, user, assistant
  }

  public var role: Role
  public var content: String

  public init(role: Role, content: String) {
    self.role = role
    self.content = content
  }

  public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
  public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
  public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}
