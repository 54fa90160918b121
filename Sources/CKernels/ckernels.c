#include "ckernels.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define BAE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BAE_CLONES
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
