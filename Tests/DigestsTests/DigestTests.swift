import Digests
import Foundation
import Testing

/// The digests against the published test vectors (FIPS 180-2 examples) and git's blob id.
@Suite struct DigestTests {
  @Test func sha256MatchesTheStandardVectors() {
    #expect(SHA256.hash(data: Data()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hash(data: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(SHA256.hash(data: long).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func sha1MatchesTheStandardVectorAndGitsBlobID() {
    #expect(SHA1.hash(data: Data("abc".utf8)).hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
    // `printf 'hello\n' | git hash-object --stdin`
    #expect(SHA1.hash(data: Data("blob 6\0hello\n".utf8)).hex == "ce013625030ba8dba906f756967f9e9ca394464a")
  }

  /// Streaming in pieces of any size gives the one-shot digest.
  @Test func streamingEqualsOneShot() {
    let data = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    for piece in [1, 63, 64, 65, 4096, 100_000] {
      var h = SHA256()
      var offset = 0
      while offset < data.count {
        let end = min(offset + piece, data.count)
        h.update(data: data.subdata(in: offset..<end))
        offset = end
      }
      #expect(h.finalize() == SHA256.hash(data: data), "pieces of \(piece)")
    }
    #expect(SHA256.hash(data: data).bytes.count == 32)
  }
}
