import Foundation

/// A picture that renders itself as a self-contained SVG 1.1 document: ``LineChart``,
/// ``Histogram`` and ``Figure`` (several of them stacked).
///
/// Rendering is deterministic: the same picture gives the same bytes, on every machine and in
/// every locale. Nothing in it refers to external files, fonts or scripts.
public protocol SVGPicture: Sendable {
  /// The whole SVG document, starting with the XML declaration.
  func svg() -> String
}

extension SVGPicture {
  /// Writes ``svg()`` as UTF-8 to `url` through `writer`.
  ///
  /// `Plots` depends on nothing but Foundation, so it leaves the writing to the caller: pass
  /// `bae`'s atomic writer (readers then see the old picture or the whole new one, never a
  /// prefix), whose error type this function rethrows unchanged:
  ///
  /// ```swift
  /// import Checkpoints
  /// try figure.write(to: directory.appendingPathComponent("curves.svg"), using: AtomicFile.write)
  /// ```
  ///
  /// - Parameters:
  ///   - url: the file to write.
  ///   - writer: writes bytes to a file, e.g. `AtomicFile.write(_:to:)`.
  /// - Throws: what `writer` throws.
  public func write<WriteError: Error>(
    to url: URL, using writer: (Data, URL) throws(WriteError) -> Void
  ) throws(WriteError) {
    try writer(Data(svg().utf8), url)
  }
}
