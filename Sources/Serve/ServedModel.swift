import Checkpoints
import Foundation
import Models
import Tokenizers

/// The model a server answers with: weights, tokenizer, chat template and the id clients name.
public struct ServedModel: Sendable {
  /// The id of `/v1/models` and of every request's `model`.
  public var id: String
  /// The weights.
  public var model: LlamaModel
  /// Its tokenizer.
  public var tokenizer: any Tokenizer
  /// How chat requests are rendered; nil when the model has no (supported) template.
  public var chatTemplate: ChatTemplate?
  /// Why chat is unavailable when ``chatTemplate`` is nil (no template, or an unsupported one).
  public var chatUnavailableReason: String?
  /// Ids that end a generation.
  public var stopTokens: Set<Int32>

  /// Wraps a loaded model.
  public init(
    id: String, model: LlamaModel, tokenizer: any Tokenizer, chatTemplate: ChatTemplate?,
    chatUnavailableReason: String? = nil
  ) {
    self.id = id
    self.model = model
    self.tokenizer = tokenizer
    self.chatTemplate = chatTemplate
    self.chatUnavailableReason = chatTemplate == nil ? (chatUnavailableReason ?? "the model has no chat template") : nil
    stopTokens = GenerationOptions.defaultStopTokens(for: tokenizer)
  }

  /// Loads the model at `location` with its tokenizer and chat template. An unsupported template
  /// does not stop loading: chat requests are then answered 400 with the reason.
  ///
  /// - Parameter id: the served id (default: the file or directory name without extension).
  /// - Throws: ``ServeError/load(_:)`` naming what failed.
  public static func load(_ location: ModelLocation, id: String? = nil) throws(ServeError) -> ServedModel {
    let model: LlamaModel
    let tokenizer: any Tokenizer
    do {
      model = try LlamaModel.load(from: location)
      tokenizer = try TokenizerLoader.load(model: location)
    } catch {
      throw .load("\(error)")
    }
    var template: ChatTemplate?
    var reason: String?
    do {
      template = try ChatTemplate.load(model: location)
    } catch {
      reason = error.description
    }
    let name = id ?? location.url.deletingPathExtension().lastPathComponent
    return ServedModel(id: name, model: model, tokenizer: tokenizer, chatTemplate: template, chatUnavailableReason: reason)
  }
}
