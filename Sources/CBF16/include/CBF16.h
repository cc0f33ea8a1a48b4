// BF16 × BF16 → F32 matrix products for SafeKey's frozen BF16 weights (issue 14, item 4).
//
// C[m, n] = beta · C + A[m, k] · B[k, n], where A is f32 rounded to bf16 (round to nearest even)
// when it is packed, and B is a bf16 matrix given either row-major [k, n] ("kn") or as its
// transpose, a row-major [n, k] matrix such as a Hugging Face nn.Linear weight ("nk"). Products of
// two bf16 values are exact in f32; sums are f32 (the AVX512-BF16 `vdpbf16ps` adds two products
// into each f32 lane, flushing denormals, as PyTorch's CPU bf16 matmul does on such CPUs).
//
// Packed layouts (both padded with zeros, so no kernel reads past an edge):
//   A: rows padded to a multiple of SK_BF16_MR, k padded to even: [mp][kp2] bf16, row-major;
//   B: panels of SK_BF16_NR columns; in each, for every pair of k (2q, 2q + 1), the 32-bit word
//      (B[2q, j] low half, B[2q + 1, j] high half) for each of the panel's columns j:
//      [panels][k2 / 2][SK_BF16_NR] uint32.
// Kernels: `sk_bf16_gemm_avx512` (needs `sk_bf16_avx512_available()`), and `sk_bf16_gemm_portable`
// (any CPU; the same arithmetic one product at a time; for tests and as a reference).
#ifndef SK_CBF16_H
#define SK_CBF16_H

#include <stddef.h>
#include <stdint.h>

#define SK_BF16_MR 12
#define SK_BF16_NR 32

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs AVX512F + AVX512BW + AVX512-BF16 (`vdpbf16ps`), else 0.
int sk_bf16_avx512_available(void);

/// Elements (bf16) of packed A for m rows and k columns.
size_t sk_bf16_packed_a_count(int m, int k);
/// Elements (bf16) of packed B for k rows (the reduction) and n columns.
size_t sk_bf16_packed_b_count(int k, int n);

/// Packs rows [row_begin, row_end) of f32 A [m, k] (leading dimension lda), rounding to bf16.
/// Rows from m up to the padded count are zeroed by the call that covers m (row_end == m).
void sk_bf16_pack_a(const float *a, int m, int k, int lda, int row_begin, int row_end, uint16_t *packed);

/// Packs panels [panel_begin, panel_end) of B given as row-major [k, n] bf16 (leading dimension ldb).
void sk_bf16_pack_b_kn(const uint16_t *b, int k, int n, int ldb, int panel_begin, int panel_end, uint16_t *packed);

/// Packs panels [panel_begin, panel_end) of B = Wᵀ from W row-major [n, k] bf16 (leading dimension ldw).
void sk_bf16_pack_b_nk(const uint16_t *w, int n, int k, int ldw, int panel_begin, int panel_end, uint16_t *packed);

/// C[0..m, columns of panels [panel_begin, panel_end)] = beta · C + A · B from packed A and B.
/// beta is 0 (C is overwritten; it may hold anything) or any other value (C is scaled, then added to).
void sk_bf16_gemm_avx512(const uint16_t *pa, const uint16_t *pb, int m, int n, int k,
                         int panel_begin, int panel_end, float beta, float *c, int ldc);
void sk_bf16_gemm_portable(const uint16_t *pa, const uint16_t *pb, int m, int n, int k,
                           int panel_begin, int panel_end, float beta, float *c, int ldc);

#ifdef __cplusplus
}
#endif
#endif
