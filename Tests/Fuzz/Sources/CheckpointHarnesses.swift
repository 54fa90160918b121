import Checkpoints
import Foundation
import Models
import Tokenizers

/// Tensors up to this many elements are also converted, to exercise the dtype kernels.
private let convertedElementLimit = 1 << 16

/// `SafetensorsFile`: header length, JSON header, dtypes, shapes and offsets; then small tensors.
func fuzzSafetensors(_ input: Data) {
  let url = scratchFile("model.safetensors", input)
  do {
    let file = try SafetensorsFile(url)
    for name in file.tensorNames {
      guard let info = file.info(for: name), info.shape.reduce(1, *) <= convertedElementLimit else { continue }
      _ = try? file.floats(name)
      _ = try? file.int32s(name)
    }
  } catch {
    MessageCheck.check(error)
  }
}

/// `GGUFFile` with the model configuration and tokenizer read from its metadata, then small tensors.
func fuzzGGUF(_ input: Data) {
  let url = scratchFile("model.gguf", input)
  do {
    let gguf = try GGUFFile(url: url)
    do { _ = try LlamaConfiguration.load(gguf: gguf) } catch { MessageCheck.check(error) }
    do { _ = try BPETokenizer(gguf: gguf).encode("Hello, world! 123") } catch { MessageCheck.check(error) }
    do { try gguf.validate() } catch { MessageCheck.check(error) }
    for tensor in gguf.tensors where tensor.elementCount <= convertedElementLimit && tensor.type.canDequantize {
      _ = try gguf.floats(tensor.name)
    }
  } catch {
    MessageCheck.check(error)
  }
}

/// `config.json` as `LlamaConfiguration`, and the numbers derived from it.
func fuzzConfigJSON(_ input: Data) {
  let url = scratchFile("config.json", input)
  do {
    let configuration = try LlamaConfiguration.load(from: url)
    _ = configuration.parameterCount(separateHead: true)
    _ = configuration.inverseFrequencies()
  } catch {
    MessageCheck.check(error)
  }
}

/// `tokenizer.json` as a byte-level BPE tokenizer, then one encode/decode round.
func fuzzTokenizerJSON(_ input: Data) {
  do {
    let tokenizer = try BPETokenizer(tokenizerJSONData: input)
    let ids = try tokenizer.encodeIDs("Hello, world! 123 ünïcödé <|endoftext|>")
    _ = tokenizer.decode(ids)
  } catch {
    MessageCheck.check(error)
  }
}
