import CLibCrypto
import Foundation

/// A streaming message digest over OpenSSL's EVP interface (Debian `libssl-dev`, the library
/// libcurl already links): feed bytes with ``update(data:)`` and read the digest once with
/// ``finalize()``. The one home of hashing in bae: shard checksums, feature-set parts, the Hub's
/// LFS and git ids, the judge's response cache.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(data: Data("abc".utf8))
/// hasher.finalize().hex   // ba7816bf…
/// ```
struct MessageDigest {
  /// The algorithms bae uses.
  enum Algorithm: Sendable {
    case sha256
    /// SHA-1, only for identifiers that are defined with it (git blob ids); not for security.
    case sha1
  }

  /// Owns the EVP context, freed with the last copy of the digest.
  private final class Context {
    let pointer: OpaquePointer
    var finished = false

    init(_ algorithm: Algorithm) {
      // Allocation of a few hundred bytes: failure means the process is out of memory.
      guard let pointer = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
      self.pointer = pointer
      let md = algorithm == .sha256 ? EVP_sha256() : EVP_sha1()
      guard EVP_DigestInit_ex(pointer, md, nil) == 1 else { fatalError("EVP_DigestInit_ex failed") }
    }

    deinit { EVP_MD_CTX_free(pointer) }
  }

  private var context: Context

  /// A digest with no bytes fed yet.
  init(_ algorithm: Algorithm) {
    context = Context(algorithm)
  }

  /// Feeds `data`.
  mutating func update(data: Data) {
    data.withUnsafeBytes { update(bytes: $0) }
  }

  /// Feeds the bytes of `bytes`.
  mutating func update(bytes: UnsafeRawBufferPointer) {
    precondition(!context.finished, "update after finalize")
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    guard EVP_DigestUpdate(context.pointer, base, bytes.count) == 1 else { fatalError("EVP_DigestUpdate failed") }
  }

  /// The digest of every byte fed (32 bytes for SHA-256, 20 for SHA-1). Call once.
  mutating func finalize() -> DigestBytes {
    precondition(!context.finished, "finalize called twice")
    context.finished = true
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_DigestFinal_ex(context.pointer, &out, &length) == 1 else { fatalError("EVP_DigestFinal_ex failed") }
    return DigestBytes(bytes: Array(out.prefix(Int(length))))
  }
}

/// The bytes of a finished digest.
public struct DigestBytes: Sendable, Equatable, Sequence {
  public let bytes: [UInt8]

  /// Lower-case hexadecimal, two digits per byte (how manifests and the Hub write digests).
  public var hex: String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  public func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }
}

/// SHA-256, streaming (`var h = SHA256(); h.update(data:); h.finalize()`) or at once.
public struct SHA256 {
  private var digest = MessageDigest(.sha256)
  public init() {}
  public mutating func update(data: Data) { digest.update(data: data) }
  public mutating func update(bytes: UnsafeRawBufferPointer) { digest.update(bytes: bytes) }
  public mutating func finalize() -> DigestBytes { digest.finalize() }

  /// The digest of `data`.
  public static func hash(data: Data) -> DigestBytes {
    var h = SHA256()
    h.update(data: data)
    return h.finalize()
  }
}

/// SHA-1, for git blob ids only (the Hub names non-LFS files by them); not for security.
public struct SHA1 {
  private var digest = MessageDigest(.sha1)
  public init() {}
  public mutating func update(data: Data) { digest.update(data: data) }
  public mutating func finalize() -> DigestBytes { digest.finalize() }

  /// The digest of `data`.
  public static func hash(data: Data) -> DigestBytes {
    var h = SHA1()
    h.update(data: data)
    return h.finalize()
  }
}
