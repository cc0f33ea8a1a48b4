// Attention's tile products on AVX-512: a 12 × 32 register block (24 zmm accumulators).
// Contracts and layouts: include/CTile.h. Checked against Swift's kernel and sgemm in
// Tests/TensorTests/AttentionTileKernelTests.swift.
#include "CTile.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

int sk_tile_avx512_available(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

void sk_tile_pack_rows(const float *a, int rows, int depth, long a_row, long a_col, float *panels) {
    for (int q = 0; q * SK_TILE_MR < rows; q++) {
        float *dst = panels + (long)q * SK_TILE_MR * depth;
        const float *base = a + (long)q * SK_TILE_MR * a_row;
        int live = rows - q * SK_TILE_MR < SK_TILE_MR ? rows - q * SK_TILE_MR : SK_TILE_MR;
        if (a_row == 1) {                       // A transposed: the panel's rows side by side in memory
            for (int p = 0; p < depth; p++) {
                const float *src = base + p * a_col;
                float *out = dst + SK_TILE_MR * p;
                for (int i = 0; i < live; i++) out[i] = src[i];
                for (int i = live; i < SK_TILE_MR; i++) out[i] = 0;
            }
        } else {                                // one row at a time, read in order, written at stride 12
            for (int i = 0; i < live; i++) {
                const float *src = base + i * a_row;
                for (int p = 0; p < depth; p++) dst[SK_TILE_MR * p + i] = src[p * a_col];
            }
            for (int i = live; i < SK_TILE_MR; i++)
                for (int p = 0; p < depth; p++) dst[SK_TILE_MR * p + i] = 0;
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#define SK_AVX512 __attribute__((target("avx512f")))

// R rows (≤ 12) × W·16 columns (W = 1 or 2) of C over depth terms k0 ..< k1. R and W are constants
// at every call (the switch in `block`) and the row loops are unrolled by pragma, so the accumulators
// live in registers (without the pragmas clang kept them on the stack: 120 instead of 200+ GFLOP/s).
static inline __attribute__((always_inline)) SK_AVX512
void kernel(const int R, const int W, int k0, int k1, const float *a, long lda,
            const float *b0, const float *b1, long ldb, float *c, long ldc, float alpha, int accumulate) {
    __m512 acc0[SK_TILE_MR], acc1[SK_TILE_MR];
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < R; i++) { acc0[i] = _mm512_setzero_ps(); acc1[i] = _mm512_setzero_ps(); }
    const float *ap = a + (long)k0 * lda, *p0 = b0 + (long)k0 * ldb, *p1 = b1 + (long)k0 * ldb;
    for (int p = k0; p < k1; p++) {
        __m512 x0 = _mm512_loadu_ps(p0);
        __m512 x1 = W == 2 ? _mm512_loadu_ps(p1) : x0;
        _Pragma("clang loop unroll(full)")
        for (int i = 0; i < R; i++) {
            __m512 ai = _mm512_set1_ps(ap[i]);
            acc0[i] = _mm512_fmadd_ps(ai, x0, acc0[i]);
            if (W == 2) acc1[i] = _mm512_fmadd_ps(ai, x1, acc1[i]);
        }
        ap += lda; p0 += ldb; p1 += ldb;
    }
    __m512 s = _mm512_set1_ps(alpha);
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < R; i++) {
        float *row = c + i * ldc;
        __m512 lo = _mm512_mul_ps(acc0[i], s);
        if (accumulate) lo = _mm512_add_ps(lo, _mm512_loadu_ps(row));
        _mm512_storeu_ps(row, lo);
        if (W == 2) {
            __m512 hi = _mm512_mul_ps(acc1[i], s);
            if (accumulate) hi = _mm512_add_ps(hi, _mm512_loadu_ps(row + 16));
            _mm512_storeu_ps(row + 16, hi);
        }
    }
}

#define SK_ROWS(W) \
    switch (live) { \
    case 12: kernel(12, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 11: kernel(11, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 10: kernel(10, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 9: kernel(9, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 8: kernel(8, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 7: kernel(7, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 6: kernel(6, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 5: kernel(5, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 4: kernel(4, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 3: kernel(3, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    case 2: kernel(2, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    default: kernel(1, W, k0, k1, a, lda, b0, b1, ldb, c, ldc, alpha, accumulate); break; \
    }

// One row block (`live` ≤ 12 rows) × one column block (W·16 columns).
static SK_AVX512 void block(int live, int wide, int k0, int k1, const float *a, long lda,
                            const float *b0, const float *b1, long ldb, float *c, long ldc, float alpha, int accumulate) {
    if (wide) { SK_ROWS(2) } else { SK_ROWS(1) }
}

SK_AVX512 void sk_tile_gemm_avx512(int rows, int n, int depth,
                                   const float *a, long a_block, long lda,
                                   const float *b, long ldb, long b_panel,
                                   float *c, long ldc, float alpha, int accumulate, int causal, int last) {
    for (int c0 = 0; c0 < n; c0 += 32) {          // a 32-column block of B (≤ 32 KB at depth 256) stays in L1
        int wide = n - c0 >= 32;
        const float *b0 = b + (long)(c0 / 16) * b_panel, *b1 = b0 + b_panel;
        for (int r0 = 0; r0 < rows; r0 += SK_TILE_MR) {
            int live = rows - r0 < SK_TILE_MR ? rows - r0 : SK_TILE_MR;
            int k0 = 0, k1 = depth;
            if (causal == SK_TILE_COLUMNS) {
                if (c0 > last + r0 + live - 1) continue;
            } else if (causal == SK_TILE_DEPTH_TO) {
                k1 = last + r0 + live;
                if (k1 > depth) k1 = depth;
                if (k1 < 0) k1 = 0;
            } else if (causal == SK_TILE_DEPTH_FROM) {
                k0 = r0 - last;
                if (k0 < 0) k0 = 0;
                if (k0 > depth) k0 = depth;
            }
            block(live, wide, k0, k1, a + (long)(r0 / SK_TILE_MR) * a_block, lda, b0, b1, ldb,
                  c + (long)r0 * ldc + c0, ldc, alpha, accumulate);
        }
    }
}

// Swift's vexp, lane for lane (see FastMath.swift for the method and its accuracy).
static inline __attribute__((always_inline)) SK_AVX512 __m512 vexp16(__m512 x) {
    const __m512 hi = _mm512_set1_ps(88.72283f), lo = _mm512_set1_ps(-87.33654f);
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __mmask16 above = _mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ), below = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    __m512 xc = _mm512_mask_blend_ps(above, x, hi);
    xc = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xc, lo, _CMP_LT_OQ), xc, lo);
    __m512 shifted = _mm512_add_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_add_ps(_mm512_sub_ps(xc, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f))),
                             _mm512_mul_ps(n, _mm512_set1_ps(2.12194440e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(5.0000001201e-1f));
    __m512 er = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, r), r), r), _mm512_set1_ps(1.0f));
    __m512i ni = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_castps_si512(magic));
    __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(ni, _mm512_set1_epi32(127)), 23));
    __m512 out = _mm512_mul_ps(er, scale);
    out = _mm512_mask_blend_ps(below, out, _mm512_setzero_ps());
    return _mm512_mask_blend_ps(above, out, _mm512_set1_ps(__builtin_inff()));
}

SK_AVX512 long sk_exp_shift_avx512(const float *src, float *dst, long n, float shift, float *acc8) {
    __m256 acc = _mm256_loadu_ps(acc8);
    const __m512 s = _mm512_set1_ps(shift);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 e = vexp16(_mm512_sub_ps(_mm512_loadu_ps(src + i), s));
        _mm512_storeu_ps(dst + i, e);
        acc = _mm256_add_ps(acc, _mm512_castps512_ps256(e));
        acc = _mm256_add_ps(acc, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1)));
    }
    _mm256_storeu_ps(acc8, acc);
    return i;
}

#else

long sk_exp_shift_avx512(const float *src, float *dst, long n, float shift, float *acc8) {
    (void)src; (void)dst; (void)n; (void)shift; (void)acc8;
    __builtin_trap();   // callers check sk_tile_avx512_available() first
}

void sk_tile_gemm_avx512(int rows, int n, int depth, const float *a, long a_block, long lda,
                         const float *b, long ldb, long b_panel, float *c, long ldc, float alpha,
                         int accumulate, int causal, int last) {
    (void)rows; (void)n; (void)depth; (void)a; (void)a_block; (void)lda; (void)b; (void)ldb; (void)b_panel;
    (void)c; (void)ldc; (void)alpha; (void)accumulate; (void)causal; (void)last;
    __builtin_trap();   // callers check sk_tile_avx512_available() first
}

#endif
