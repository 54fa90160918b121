// C interface over libsentencepiece (C++), implemented in sp_shim.cpp.
// Every string or buffer the shim returns is malloc'd; release it with
// bae_sp_free_string / bae_sp_free_encoding. A processor is released with bae_sp_free.
#ifndef BAE_SP_SHIM_H
#define BAE_SP_SHIM_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// An opaque loaded SentencePiece model.
typedef struct bae_sp_processor bae_sp_processor;

/// Loads a `.model` file. When `disable_dummy_prefix` is non-zero the model's
/// normalizer spec is overridden with add_dummy_prefix = false. Returns NULL on
/// failure and stores a malloc'd message in `*error_out`.
bae_sp_processor *bae_sp_load(const char *path, int disable_dummy_prefix, char **error_out);
/// Releases a processor (NULL is allowed).
void bae_sp_free(bae_sp_processor *processor);
/// Releases a string returned by the shim (NULL is allowed).
void bae_sp_free_string(char *string);

/// Number of pieces in the model.
int32_t bae_sp_vocab_size(const bae_sp_processor *processor);
/// The BOS id, or -1 when the model has none.
int32_t bae_sp_bos_id(const bae_sp_processor *processor);
/// The EOS id, or -1 when the model has none.
int32_t bae_sp_eos_id(const bae_sp_processor *processor);
/// The unknown-piece id.
int32_t bae_sp_unk_id(const bae_sp_processor *processor);
/// 1 when `id` is a byte-fallback piece (<0xXX>), else 0.
int bae_sp_is_byte(const bae_sp_processor *processor, int32_t id);
/// 1 when `id` is a control piece (<s>, </s>), else 0.
int bae_sp_is_control(const bae_sp_processor *processor, int32_t id);
/// The piece text of `id` (malloc'd), or NULL when `id` is out of range.
char *bae_sp_id_to_piece(const bae_sp_processor *processor, int32_t id);

/// The result of an encode: ids and the UTF-8 byte range [begin, end) of each piece.
typedef struct bae_sp_encoding {
  int32_t *ids;
  uint32_t *begins;
  uint32_t *ends;
  size_t count;
} bae_sp_encoding;

/// Encodes `length` bytes of UTF-8 text. Returns 0 on success; otherwise non-zero
/// with a malloc'd message in `*error_out`.
int bae_sp_encode(const bae_sp_processor *processor, const char *text, size_t length,
                  bae_sp_encoding *out, char **error_out);
/// Releases the buffers of an encoding.
void bae_sp_free_encoding(bae_sp_encoding *encoding);
/// Decodes ids with SentencePiece's own detokenizer (malloc'd UTF-8), or NULL on error.
char *bae_sp_decode(const bae_sp_processor *processor, const int32_t *ids, size_t count);

#ifdef __cplusplus
}
#endif
#endif
