// Elementwise float kernels and bitset popcount products in C, so the compiler vectorises them (with runtime selection
// of AVX-512 / AVX2+FMA / baseline code). Naive twins live in Tests/TensorCoreTests.
#ifndef BAE_CKERNELS_H
#define BAE_CKERNELS_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = exp(in[i] - shift) for i < n (out may alias in); returns the sum of out.
/// Relative error <= 3e-7; arguments below -87.3 give ~0.
float bae_exp_shifted(float *out, const float *in, float shift, long n);

/// gate[i] = silu(gate[i]) * up[i] for i < n, silu(x) = x / (1 + exp(-x)).
void bae_swiglu(float *gate, const float *up, long n);

/// Popcount inner products of two sets of bitsets:
/// out[i*ldo + j] = sum over w < words of popcount(a[i*lda + w] & b[w*ldb + j]),
/// for i < rows and j < columns. `a` is row-major (the words of bitset i are contiguous),
/// `b` word-major (word w of every bitset in one row), so a tile of `b` serves several rows.
void bae_and_popcount(int32_t *out, long ldo, const uint64_t *a, long lda, long rows,
                      const uint64_t *b, long ldb, long columns, long words);

// Signs of binary codes' covariance numerators for rows j in [j0, j1) (see Autoencoders'
// binaryCovariancePenaltyBackward): +1 bitsets word-major [V, m], q_j, zero counts, and the
// row sums of |numerator| off the diagonal.
void bae_covariance_signs(uint64_t *positive, int64_t *q, int32_t *zero_count, int64_t *abs_sum,
                          const int32_t *cooccurrence, const int64_t *n, long B, long m, long j0, long j1);

/// out[j] = sum over i < rows of m[i*columns + j], for j in [j0, j1), summed over i in order.
void bae_column_sums(float *out, const float *m, long rows, long columns, long j0, long j1);

/// Row bitsets of 0/1 codes [B, m] for rows [i0, i1): bit b of bits[i*V + v] is
/// codes[i*m + 64*v + b] != 0 (V = ceil(m/64), padding bits 0).
void bae_pack_code_rows(uint64_t *bits, const float *codes, long m, long i0, long i1);

/// Column bitsets of 0/1 codes [B, m], word-major [W, m], for words [w0, w1): bit b of
/// bits[w*m + j] is codes[(64*w + b)*m + j] != 0 (padding bits 0).
void bae_pack_code_columns_word_major(uint64_t *bits, const float *codes, long rows, long m, long w0, long w1);

// One Adam update in place: w [n], m [n], v [n] updated from the gradient g [n] (torch's
// single-tensor formulas with the scalars precomputed; bit-identical to the plain loop).
void bae_adam_step(float *w, const float *g, float *m, float *v, long n, float weight_decay,
                   float one_minus_beta1, float beta2, float one_minus_beta2, float step_size,
                   float correction2_root, float epsilon);

/// out[i] = in[i] rounded to the nearest bfloat16 (ties to even; NaN stays a quiet NaN), for i < n.
void bae_bfloat16_from_float(uint16_t *out, const float *in, long n);

/// out[i] = in[i] widened from bfloat16 to float (exact), for i < n.
void bae_float_from_bfloat16(float *out, const uint16_t *in, long n);

/// out[i] = in[i] rounded to the nearest bfloat16 and widened back to float (the two functions
/// above in one pass; out may equal in), for i < n.
void bae_round_to_bfloat16(float *out, const float *in, long n);

/// 1 if the CPU has the AVX512-BF16 instructions (VDPBF16PS) and the OS saves AVX-512 state, else 0.
int bae_cpu_has_avx512_bf16(void);
/// 1 if the CPU reports AMX-TILE and AMX-BF16 (CPUID leaf 7), else 0. Whether a process may use
/// the tiles also depends on the OS (Linux grants them per process on request, as oneDNN does).
int bae_cpu_has_amx_bf16(void);
/// 1 if CPUID leaf 0 names the vendor "AuthenticAMD", else 0.
int bae_cpu_vendor_is_amd(void);
/// 1 if the OS enables the AMX tile state in XCR0 (bits 17 and 18), else 0.
int bae_os_enables_amx(void);

/// 1 if the CPU runs AVX2 and FMA instructions (x86-64), else 0.
int bae_cpu_has_avx2_fma(void);
/// 1 when the CPU runs the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, BW, DQ, VL, CD).
int bae_cpu_has_avx512_skylakex(void);

#ifdef __cplusplus
}
#endif
#endif
