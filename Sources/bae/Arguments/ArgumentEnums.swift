import ArgumentParser
import Autoencoders
import Corpora
import FeatureSets
import HookPoints
import Studies
import TensorCore

// Library enums as command-line values: parsed once, here, into the types the libraries take.

extension BOSPolicy: ExpressibleByArgument {}
extension FeatureFileFormat: ExpressibleByArgument {}
extension CorpusFormatKind: ExpressibleByArgument {}
extension DocumentMode: ExpressibleByArgument {}
extension BadInputPolicy: ExpressibleByArgument {}

/// The storage types a feature set may use, spelled as on the command line (`f32`, `f16`, `bf16`).
enum StoredType: String, CaseIterable, ExpressibleByArgument {
  case f32, f16, bf16

  var dtype: DType {
    switch self {
    case .f32: .float32
    case .f16: .float16
    case .bf16: .bfloat16
    }
  }
}

extension Architecture: ExpressibleByArgument {}
extension BinarizationEstimator: ExpressibleByArgument {}
extension OutputActivation: ExpressibleByArgument {}
extension SplitMode: ExpressibleByArgument {}
extension InputNormalization.Kind: ExpressibleByArgument {}
extension DecoderBiasInitialization: ExpressibleByArgument {}
extension HookSite: ExpressibleByArgument {}
extension ICLEstimator: ExpressibleByArgument {}
