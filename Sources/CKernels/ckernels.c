#include "ckernels.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define BAE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
// Popcount kernels add a clone for POPCNT (v2). Their AVX-512 VPOPCNTQ version is chosen by a
// feature test in the kernel itself: a target_clones "arch=icelake-server" clone is selected by
// CPU model, not by feature, so Sapphire Rapids, Emerald Rapids and Zen 4 never ran it.
#define BAE_POPCOUNT_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "arch=x86-64-v2", "default")))
#define BAE_VPOPCNT_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vpopcntdq,popcnt")))
#else
#define BAE_CLONES
#define BAE_POPCOUNT_CLONES
#endif

// exp(x) = 2^n * exp(r), n = round(x / ln2), r = x - n ln2 (two-part ln2), Cephes polynomial.
// Adding 1.5 * 2^23 rounds to the nearest integer and leaves n in the low mantissa bits.
static inline float exp_poly(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float magic = 12582912.0f;
  float shifted = x * 1.44269504f + magic;
  float n = shifted - magic;
  float r = x - n * 0.693145751953125f;
  r = r - n * 1.428606765330187e-6f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits;
  memcpy(&bits, &shifted, sizeof bits);
  bits = (bits - 0x4B400000 + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

BAE_CLONES
float bae_exp_shifted(float *out, const float *in, float shift, long n) {
  for (long i = 0; i < n; i++) out[i] = exp_poly(in[i] - shift);
  float partial[16] = {0};
  long i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) partial[j] += out[i + j];
  float sum = 0;
  for (; i < n; i++) sum += out[i];
  for (int j = 0; j < 16; j++) sum += partial[j];
  return sum;
}

BAE_CLONES
void bae_swiglu(float *gate, const float *up, long n) {
  for (long i = 0; i < n; i++) {
    float x = gate[i];
    gate[i] = x / (1.0f + exp_poly(-x)) * up[i];
  }
}

// Register tile of bae_and_popcount: BAE_PC_ROWS rows of `a` against BAE_PC_COLUMNS bitsets of
// `b`, so each loaded word of `b` serves several rows and the accumulators stay in registers.
#define BAE_PC_ROWS 4
#define BAE_PC_COLUMNS 32

static inline __attribute__((always_inline)) void and_popcount_body(
    int32_t *out, long ldo, const uint64_t *a, long lda, long rows, const uint64_t *b, long ldb, long columns,
    long words) {
  for (long i0 = 0; i0 < rows; i0 += BAE_PC_ROWS) {
    long ni = rows - i0 < BAE_PC_ROWS ? rows - i0 : BAE_PC_ROWS;
    for (long j0 = 0; j0 < columns; j0 += BAE_PC_COLUMNS) {
      long nj = columns - j0 < BAE_PC_COLUMNS ? columns - j0 : BAE_PC_COLUMNS;
      uint64_t acc[BAE_PC_ROWS][BAE_PC_COLUMNS];
      memset(acc, 0, sizeof acc);
      if (ni == BAE_PC_ROWS && nj == BAE_PC_COLUMNS) {
        for (long w = 0; w < words; w++) {
          const uint64_t *y = b + w * ldb + j0;
          for (int ii = 0; ii < BAE_PC_ROWS; ii++) {
            const uint64_t x = a[(i0 + ii) * lda + w];
            for (int jj = 0; jj < BAE_PC_COLUMNS; jj++) acc[ii][jj] += (uint64_t)__builtin_popcountll(x & y[jj]);
          }
        }
      } else {
        for (long w = 0; w < words; w++) {
          const uint64_t *y = b + w * ldb + j0;
          for (long ii = 0; ii < ni; ii++) {
            const uint64_t x = a[(i0 + ii) * lda + w];
            for (long jj = 0; jj < nj; jj++) acc[ii][jj] += (uint64_t)__builtin_popcountll(x & y[jj]);
          }
        }
      }
      for (long ii = 0; ii < ni; ii++)
        for (long jj = 0; jj < nj; jj++) out[(i0 + ii) * ldo + j0 + jj] = (int32_t)acc[ii][jj];
    }
  }
}

BAE_POPCOUNT_CLONES
static void and_popcount_portable(int32_t *out, long ldo, const uint64_t *a, long lda, long rows,
                                  const uint64_t *b, long ldb, long columns, long words) {
  and_popcount_body(out, ldo, a, lda, rows, b, ldb, columns, words);
}

#if defined(__x86_64__) && defined(__clang__)
BAE_VPOPCNT_TARGET
static void and_popcount_vpopcnt(int32_t *out, long ldo, const uint64_t *a, long lda, long rows,
                                 const uint64_t *b, long ldb, long columns, long words) {
  and_popcount_body(out, ldo, a, lda, rows, b, ldb, columns, words);
}
#endif

void bae_and_popcount(int32_t *out, long ldo, const uint64_t *a, long lda, long rows,
                      const uint64_t *b, long ldb, long columns, long words) {
#if defined(__x86_64__) && defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    and_popcount_vpopcnt(out, ldo, a, lda, rows, b, ldb, columns, words);
    return;
  }
#endif
  and_popcount_portable(out, ldo, a, lda, rows, b, ldb, columns, words);
}

int bae_cpu_has_avx512_skylakex(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512cd");
#else
  return 0;
#endif
}

int bae_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return 0;
#endif
}

BAE_CLONES
void bae_bfloat16_from_float(uint16_t *out, const float *in, long n) {
  for (long i = 0; i < n; i++) {
    uint32_t bits;
    memcpy(&bits, &in[i], sizeof bits);
    uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
    // NaN (exponent all ones, mantissa non-zero): keep it a quiet NaN instead of rounding.
    int nan = (bits & 0x7FFFFFFFu) > 0x7F800000u;
    out[i] = (uint16_t)(nan ? ((bits >> 16) | 0x40u) : rounded);
  }
}

BAE_CLONES
void bae_round_to_bfloat16(float *out, const float *in, long n) {
  for (long i = 0; i < n; i++) {
    uint32_t bits;
    memcpy(&bits, &in[i], sizeof bits);
    uint32_t rounded = ((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16) << 16;
    int nan = (bits & 0x7FFFFFFFu) > 0x7F800000u;
    uint32_t result = nan ? ((bits & 0xFFFF0000u) | 0x400000u) : rounded;
    memcpy(&out[i], &result, sizeof result);
  }
}

BAE_CLONES
void bae_float_from_bfloat16(float *out, const uint16_t *in, long n) {
  for (long i = 0; i < n; i++) {
    uint32_t bits = (uint32_t)in[i] << 16;
    memcpy(&out[i], &bits, sizeof bits);
  }
}

#if defined(__x86_64__)
#include <cpuid.h>
static uint64_t read_xcr0(void) {
  uint32_t eax, ebx, ecx, edx;
  __cpuid(1, eax, ebx, ecx, edx);
  if (!(ecx & (1u << 27))) return 0;  // no OSXSAVE: XGETBV is not available
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}
#endif

int bae_cpu_has_avx512_bf16(void) {
#if defined(__x86_64__)
  uint32_t eax, ebx, ecx, edx;
  if (!bae_cpu_has_avx512_skylakex()) return 0;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  // XCR0 bits 5-7: opmask and upper ZMM state saved by the OS.
  return (eax & (1u << 5)) && (read_xcr0() & 0xE0) == 0xE0;
#else
  return 0;
#endif
}

int bae_cpu_has_amx_bf16(void) {
#if defined(__x86_64__)
  uint32_t eax, ebx, ecx, edx;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return (edx & (1u << 22)) && (edx & (1u << 24));
#else
  return 0;
#endif
}

int bae_cpu_vendor_is_amd(void) {
#if defined(__x86_64__)
  uint32_t eax, ebx, ecx, edx;
  __cpuid(0, eax, ebx, ecx, edx);
  // "AuthenticAMD" in EBX, EDX, ECX.
  return ebx == 0x68747541u && edx == 0x69746e65u && ecx == 0x444d4163u;
#else
  return 0;
#endif
}

int bae_os_enables_amx(void) {
#if defined(__x86_64__)
  return (read_xcr0() & (3u << 17)) == (3u << 17);
#else
  return 0;
#endif
}

// One Adam update (torch's single-tensor formulas; see adamStep in Autoencoders), vectorised.
// Contraction into FMAs is off so every lane rounds as the scalar formulas do, operation by
// operation: the result is bit-identical to the plain loop whatever the clone.
BAE_CLONES
void bae_adam_step(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
                   float weight_decay, float one_minus_beta1, float beta2, float one_minus_beta2, float step_size,
                   float correction2_root, float epsilon) {
#pragma clang fp contract(off)
  if (weight_decay != 0) {
    for (long i = 0; i < n; i++) {
      float gi = g[i] + weight_decay * w[i];
      float mi = m[i] + one_minus_beta1 * (gi - m[i]);
      float vi = v[i] * beta2 + one_minus_beta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] += -step_size * (mi / (__builtin_sqrtf(vi) / correction2_root + epsilon));
    }
  } else {
    for (long i = 0; i < n; i++) {
      float gi = g[i];
      float mi = m[i] + one_minus_beta1 * (gi - m[i]);
      float vi = v[i] * beta2 + one_minus_beta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] += -step_size * (mi / (__builtin_sqrtf(vi) / correction2_root + epsilon));
    }
  }
}

// Signs of the covariance numerators B·N_jk − n_j·n_k of binary codes, for code rows j in
// [j0, j1): the bitset of k with a positive numerator goes to positive[v·m + j] (word v, bit
// k & 63 of word k >> 6, word-major as andPopcount reads it), q[j] = Σ_k n_k·sign, and
// zero_count[j] = how many k ≠ j have a zero numerator, and abs_sum[j] = Σ_{k≠j} |numerator|
// (the covariance penalty's row j, times B·(B − 1)). The diagonal is not part of S. Exact
// integer arithmetic throughout; written so the compiler vectorises the inner loop.
BAE_CLONES
void bae_covariance_signs(uint64_t *positive, int64_t *q, int32_t *zero_count, int64_t *abs_sum,
                          const int32_t *cooccurrence, const int64_t *n, long B, long m, long j0, long j1) {
  long V = (m + 63) / 64;
  for (long j = j0; j < j1; j++) {
    const int32_t *row = cooccurrence + j * m;
    int64_t nj = n[j];
    int64_t qj = 0;
    int64_t total = 0;
    int32_t zeros = 0;
    for (long v = 0; v < V; v++) {
      uint64_t pos = 0, zero = 0;
      long start = 64 * v, end = 64 * v + 64 < m ? 64 * v + 64 : m;
      for (long k = start; k < end; k++) {
        int64_t num = B * (int64_t)row[k] - nj * n[k];
        uint64_t p = num > 0, ng = num < 0;
        pos |= p << (k - start);
        zero |= (1 - p - ng) << (k - start);
        qj += n[k] * ((int64_t)p - (int64_t)ng);
        total += num < 0 ? -num : num;
      }
      if ((j >> 6) == v) {
        uint64_t bit = (uint64_t)1 << (j & 63);
        if (pos & bit) qj -= nj;
        pos &= ~bit;
        zero &= ~bit;
      }
      positive[v * m + j] = pos;
      zeros += __builtin_popcountll(zero);
    }
    q[j] = qj;
    zero_count[j] = zeros;
    // The diagonal's numerator B·n_j − n_j² = n_j·(B − n_j) ≥ 0 was summed above; take it out.
    abs_sum[j] = total - (B * (int64_t)row[j] - nj * nj);
  }
}

// Row bitsets of 0/1 codes [B, m] for rows i in [i0, i1): bit b of bits[i·V + v] is
// codes[i·m + 64·v + b] != 0, V = ⌈m/64⌉, padding bits 0.
BAE_CLONES
void bae_pack_code_rows(uint64_t *bits, const float *codes, long m, long i0, long i1) {
  long V = (m + 63) / 64;
  for (long i = i0; i < i1; i++) {
    const float *row = codes + i * m;
    for (long v = 0; v < V; v++) {
      long start = 64 * v, count = m - start < 64 ? m - start : 64;
      uint64_t word = 0;
      for (long b = 0; b < count; b++) word |= (uint64_t)(row[start + b] != 0.0f) << b;
      bits[i * V + v] = word;
    }
  }
}

// Column bitsets of 0/1 codes [B, m], word-major, for words w in [w0, w1): bit b of
// bits[w·m + j] is codes[(64·w + b)·m + j] != 0, padding bits 0. Rows are read contiguously.
BAE_CLONES
void bae_pack_code_columns_word_major(uint64_t *bits, const float *codes, long rows, long m, long w0, long w1) {
  for (long w = w0; w < w1; w++) {
    uint64_t *out = bits + w * m;
    for (long j = 0; j < m; j++) out[j] = 0;
    long end = 64 * w + 64 < rows ? 64 * w + 64 : rows;
    for (long i = 64 * w; i < end; i++) {
      const float *row = codes + i * m;
      uint64_t shift = (uint64_t)(i & 63);
      for (long j = 0; j < m; j++) out[j] |= (uint64_t)(row[j] != 0.0f) << shift;
    }
  }
}

// out[j] = Σ_i m[i·columns + j] for j in [j0, j1), summed over i in order.
BAE_CLONES
void bae_column_sums(float *restrict out, const float *restrict m, long rows, long columns, long j0, long j1) {
  for (long j = j0; j < j1; j++) out[j] = 0;
  for (long i = 0; i < rows; i++) {
    const float *row = m + i * columns;
    for (long j = j0; j < j1; j++) out[j] += row[j];
  }
}
