// extern "C" shim over sentencepiece::SentencePieceProcessor (Debian libsentencepiece 0.1.97).
#include "sp_shim.h"

#include <sentencepiece_processor.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

struct bae_sp_processor {
  sentencepiece::SentencePieceProcessor sp;
};

static char *copy_string(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

static void set_error(char **error_out, const std::string &message) {
  if (error_out != nullptr) *error_out = copy_string(message);
}

extern "C" bae_sp_processor *bae_sp_load(const char *path, int disable_dummy_prefix, char **error_out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    set_error(error_out, std::string("cannot open ") + path);
    return nullptr;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string serialized = buffer.str();
  if (disable_dummy_prefix) {
    // ModelProto field 3 (normalizer_spec, length-delimited) holding
    // NormalizerSpec field 3 (add_dummy_prefix, varint) = 0. Protobuf merges a
    // repeated embedded message into the earlier one, so this overrides only that flag.
    static const char patch[] = {0x1a, 0x02, 0x18, 0x00};
    serialized.append(patch, sizeof(patch));
  }
  auto *processor = new bae_sp_processor();
  auto status = processor->sp.LoadFromSerializedProto(serialized);
  if (!status.ok()) {
    set_error(error_out, status.ToString());
    delete processor;
    return nullptr;
  }
  return processor;
}

extern "C" void bae_sp_free(bae_sp_processor *processor) { delete processor; }
extern "C" void bae_sp_free_string(char *string) { std::free(string); }

extern "C" int32_t bae_sp_vocab_size(const bae_sp_processor *p) { return p->sp.GetPieceSize(); }
extern "C" int32_t bae_sp_bos_id(const bae_sp_processor *p) { return p->sp.bos_id(); }
extern "C" int32_t bae_sp_eos_id(const bae_sp_processor *p) { return p->sp.eos_id(); }
extern "C" int32_t bae_sp_unk_id(const bae_sp_processor *p) { return p->sp.unk_id(); }

extern "C" int bae_sp_is_byte(const bae_sp_processor *p, int32_t id) {
  if (id < 0 || id >= p->sp.GetPieceSize()) return 0;
  return p->sp.IsByte(id) ? 1 : 0;
}

extern "C" int bae_sp_is_control(const bae_sp_processor *p, int32_t id) {
  if (id < 0 || id >= p->sp.GetPieceSize()) return 0;
  return p->sp.IsControl(id) ? 1 : 0;
}

extern "C" char *bae_sp_id_to_piece(const bae_sp_processor *p, int32_t id) {
  if (id < 0 || id >= p->sp.GetPieceSize()) return nullptr;
  return copy_string(p->sp.IdToPiece(id));
}

extern "C" int bae_sp_encode(const bae_sp_processor *p, const char *text, size_t length,
                             bae_sp_encoding *out, char **error_out) {
  out->ids = nullptr;
  out->begins = nullptr;
  out->ends = nullptr;
  out->count = 0;
  sentencepiece::ImmutableSentencePieceText spt = p->sp.EncodeAsImmutableProto(std::string(text, length));
  const size_t n = spt.pieces_size();
  if (n == 0) return 0;
  out->ids = static_cast<int32_t *>(std::malloc(n * sizeof(int32_t)));
  out->begins = static_cast<uint32_t *>(std::malloc(n * sizeof(uint32_t)));
  out->ends = static_cast<uint32_t *>(std::malloc(n * sizeof(uint32_t)));
  if (out->ids == nullptr || out->begins == nullptr || out->ends == nullptr) {
    bae_sp_free_encoding(out);
    set_error(error_out, "out of memory");
    return 1;
  }
  for (size_t i = 0; i < n; ++i) {
    auto piece = spt.pieces(static_cast<int>(i));
    out->ids[i] = static_cast<int32_t>(piece.id());
    out->begins[i] = piece.begin();
    out->ends[i] = piece.end();
  }
  out->count = n;
  return 0;
}

extern "C" void bae_sp_free_encoding(bae_sp_encoding *encoding) {
  std::free(encoding->ids);
  std::free(encoding->begins);
  std::free(encoding->ends);
  encoding->ids = nullptr;
  encoding->begins = nullptr;
  encoding->ends = nullptr;
  encoding->count = 0;
}

extern "C" char *bae_sp_decode(const bae_sp_processor *p, const int32_t *ids, size_t count) {
  std::vector<int> v(ids, ids + count);
  std::string text;
  if (!p->sp.Decode(v, &text).ok()) return nullptr;
  return copy_string(text);
}
