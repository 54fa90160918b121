/// A corpus read document by document from files, directories, globs and
/// archives, in a fixed order, in constant memory.
///
/// ```swift
/// let corpus = try Corpus(paths: ["corpora/pile-sample.jsonl.zst"])
/// while let document = try corpus.next() { use(document.text) }
/// print(corpus.statistics)
/// ```
///
/// Every file goes through libarchive, so gzip, zstd, xz, bzip2 and lz4
/// compression and tar and zip archives are detected from the bytes; each
/// file or archive member is then decoded with ``CorpusOptions/format``.
/// Bad records are thrown or skipped per ``CorpusOptions/policy``.
///
/// - Complexity: Memory is one read chunk plus the current document, which is at most
///   ``CorpusOptions/maxRecordBytes`` long (a longer record is bad input, never held).
public final class Corpus: CorpusReader {
  /// The paths as given.
  public let paths: [String]
  /// The files the paths expanded to (see ``CorpusPaths/expand(_:)``);
  /// ``CorpusPosition/fileIndex`` indexes this list.
  public let files: [String]
  /// The reading options.
  public let options: CorpusOptions
  /// The position of the next document: save it to resume a later run.
  public private(set) var position: CorpusPosition

  private var counters = CorpusStatistics()
  /// The first bad input skipped, for the message when nothing else was read.
  private var firstSkipped: CorpusError?
  private var closedFileBytes: UInt64 = 0
  private let startedAtBeginning: Bool
  private var resumeTarget: CorpusPosition?
  private var fileIndex: Int
  private var input: ArchiveInput?
  private var memberIndex = -1
  private var member: MemberState?
  private var finished = false

  private struct MemberState {
    var stream: MemberStream
    var decoder: RecordDecoder
    var returned = 0
    var toSkip = 0
  }

  /// Opens a corpus.
  /// - Parameters:
  ///   - paths: Files, directories or globs, read in this order.
  ///   - options: Format, filters and bad-input policy.
  ///   - position: Where to start (default: the beginning); a position saved
  ///     from ``position`` or ``Document/resumePosition`` of an earlier run
  ///     with the same paths and options.
  /// - Throws: ``CorpusError/pathNotFound(path:)`` if a path matches nothing;
  ///   ``CorpusError/invalidPosition(_:reason:)`` if `position` is past the files.
  public init(
    paths: [String], options: CorpusOptions = CorpusOptions(),
    resumingAt position: CorpusPosition = .start
  ) throws(CorpusError) {
    self.paths = paths
    self.files = try CorpusPaths.expand(paths)
    self.options = options
    self.position = position
    guard position.fileIndex >= 0, position.memberIndex >= 0, position.documentIndex >= 0,
      position.fileIndex <= files.count
    else {
      throw .invalidPosition(position, reason: "the corpus has \(files.count) files")
    }
    self.startedAtBeginning = position == .start
    self.resumeTarget = position == .start ? nil : position
    self.fileIndex = position.fileIndex
  }

  /// Opens a corpus of one path; see ``init(paths:options:resumingAt:)``.
  public convenience init(
    path: String, options: CorpusOptions = CorpusOptions(),
    resumingAt position: CorpusPosition = .start
  ) throws(CorpusError) {
    try self.init(paths: [path], options: options, resumingAt: position)
  }

  /// Counters so far: documents, skips by reason, bytes read.
  /// Documents dropped while fast-forwarding to a resume position are not counted.
  public var statistics: CorpusStatistics {
    var statistics = counters
    statistics.bytesRead = closedFileBytes + (input?.bytesRead ?? 0)
    return statistics
  }

  /// Returns the next document, or `nil` at the end.
  /// - Throws: ``CorpusError`` under ``BadInputPolicy/fail`` for bad input;
  ///   ``CorpusError/emptyCorpus(paths:)`` at the end if no document was read
  ///   (unless resumed); ``CorpusError/invalidPosition(_:reason:)`` if the
  ///   resume position is not in the files.
  public func next() throws(CorpusError) -> Document? {
    while !finished {
      // Take the member out so its line buffer stays uniquely referenced
      // (no copy-on-write of the chunk buffer per record); every path below
      // puts it back or drops it.
      guard var current = member.take() else {
        try advanceMember()
        continue
      }
      let record: DecodedRecord?
      do {
        record = try current.decoder.next(&current.stream)
      } catch {
        let source = current.stream.currentSource(record: current.decoder.recordCount)
        member = nil
        closeFile()
        try handle(.damagedFile(at: source, message: error.message))
        continue
      }
      guard let record else {
        member = nil
        if current.toSkip > 0 {
          throw .invalidPosition(
            position,
            reason: "member \(memberIndex) of \(files[fileIndex]) has only "
              + "\(current.returned) documents")
        }
        continue
      }
      let fastForwarding = current.toSkip > 0
      switch record {
      case .bad(let error):
        member = current
        if !fastForwarding { try handle(error) }
      case .badMember(let error):
        member = nil
        if !fastForwarding { try handle(error) }
      case .document(let text, let metadata, let source):
        if text.allSatisfy(\.isWhitespace) {
          member = current
          if !fastForwarding { counters.emptyDocuments += 1 }
          continue
        }
        if !isIncluded(metadata) {
          member = current
          if !fastForwarding { counters.filtered += 1 }
          continue
        }
        current.returned += 1
        if fastForwarding {
          current.toSkip -= 1
          member = current
          continue
        }
        member = current
        position = CorpusPosition(
          fileIndex: fileIndex, memberIndex: memberIndex, documentIndex: current.returned)
        counters.documentsRead += 1
        return Document(text: text, source: source, metadata: metadata, resumePosition: position)
      }
    }
    return nil
  }

  /// Opens the next file if needed and moves to its next member (or past it).
  private func advanceMember() throws(CorpusError) {
    if input == nil {
      guard fileIndex < files.count else {
        finished = true
        if counters.documentsRead == 0, startedAtBeginning {
          if let firstSkipped {
            throw .onlyBadInput(paths: paths, skipped: counters.skippedTotal, first: firstSkipped.description)
          }
          throw .emptyCorpus(paths: paths)
        }
        return
      }
      do {
        input = try ArchiveInput(path: files[fileIndex], chunkSize: options.chunkSize)
        counters.filesOpened += 1
        memberIndex = -1
      } catch {
        fileIndex += 1
        try handle(.unreadableFile(path: files[fileIndex - 1], message: error.message))
        return
      }
    }
    guard let input else { return }
    let next: ArchiveMember?
    do {
      next = try input.nextMember()
    } catch {
      let path = input.path
      let isFirst = memberIndex < 0
      closeFile()
      if isFirst {
        try handle(.unreadableFile(path: path, message: error.message))
      } else {
        let source = DocumentSource(path: path, line: 1)
        try handle(.damagedFile(at: source, message: "after member \(memberIndex): \(error.message)"))
      }
      return
    }
    guard let next else {
      if memberIndex < 0, input.isArchive, !ArchiveInput.holdsOnlyZeros(path: input.path, chunkSize: options.chunkSize)
      {
        // libarchive takes 1024 NUL bytes for the end of an empty tar archive; a file that starts
        // so but holds data after them is not an archive, and its text must not vanish unseen.
        let path = input.path
        closeFile()
        try handle(
          .unreadableFile(
            path: path,
            message: "it starts like an empty tar archive (1024 NUL bytes) but holds other bytes after them"))
        return
      }
      if let target = resumeTarget, target.fileIndex == fileIndex {
        throw .invalidPosition(
          target, reason: "\(input.path) has only \(memberIndex + 1) members")
      }
      closeFile()
      return
    }
    memberIndex += 1
    var toSkip = 0
    if let target = resumeTarget, target.fileIndex == fileIndex {
      if memberIndex < target.memberIndex { return }
      toSkip = target.documentIndex
      resumeTarget = nil
    }
    counters.membersRead += 1
    let name = next.name ?? input.path
    member = MemberState(
      stream: MemberStream(input: input, member: next.name, lineLimit: options.maxRecordBytes),
      decoder: RecordDecoder(format: options.format, memberName: name, options: options),
      toSkip: toSkip)
  }

  private func closeFile() {
    closedFileBytes += input?.bytesRead ?? 0
    input = nil
    member = nil
    fileIndex += 1
  }

  /// Throws under `.fail`; counts under `.skip`.
  private func handle(_ error: CorpusError) throws(CorpusError) {
    guard options.policy == .skip, let reason = error.reason else { throw error }
    counters.skipped[reason, default: 0] += 1
    if firstSkipped == nil { firstSkipped = error }
  }

  private func isIncluded(_ metadata: [String: String]) -> Bool {
    for (key, allowed) in options.include {
      guard let value = metadata[key], allowed.contains(value) else { return false }
    }
    return true
  }
}
