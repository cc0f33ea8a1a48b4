// BF16 × BF16 → F32 GEMM: packing, the AVX512-BF16 micro-kernel and a portable reference.
// Contracts and layouts: include/CBF16.h.
#include "CBF16.h"

#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline int round_up(int x, int to) { return (x + to - 1) / to * to; }

// f32 → bf16 bits, round to nearest even; NaN stays a quiet NaN (PyTorch's rounding).
static inline uint16_t to_bf16(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);
    return (uint16_t)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

static inline float from_bf16(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float x;
    memcpy(&x, &bits, 4);
    return x;
}

int sk_bf16_avx512_available(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
#else
    return 0;
#endif
}

size_t sk_bf16_packed_a_count(int m, int k) { return (size_t)round_up(m, SK_BF16_MR) * (size_t)round_up(k, 2); }

size_t sk_bf16_packed_b_count(int k, int n) { return (size_t)round_up(n, SK_BF16_NR) * (size_t)round_up(k, 2); }

void sk_bf16_pack_a(const float *a, int m, int k, int lda, int row_begin, int row_end, uint16_t *packed) {
    const int k2 = round_up(k, 2);
    for (int i = row_begin; i < row_end; i++) {
        uint16_t *dst = packed + (size_t)i * k2;
        const float *src = a + (size_t)i * lda;
        for (int j = 0; j < k; j++) dst[j] = to_bf16(src[j]);
        if (k2 > k) dst[k] = 0;
    }
    if (row_end == m) memset(packed + (size_t)m * k2, 0, sizeof(uint16_t) * (size_t)(round_up(m, SK_BF16_MR) - m) * k2);
}

// AVX-512 packing of whole panels (32 columns inside B), defined below; the scalar loops do the
// edge panels and run on other CPUs. Packing every frozen weight at every product was ~12% of a
// LoRA step with the scalar loops (`perf` on `bench train --shape qwen05b --lora 16`).
static int pack_vectorised(void);
static void pack_kn_panel_avx512(const uint16_t *b, int k, int ldb, int j0, uint32_t *dst);
static void pack_nk_panel_avx512(const uint16_t *w, int k, int ldw, int j0, uint32_t *dst);

void sk_bf16_pack_b_kn(const uint16_t *b, int k, int n, int ldb, int panel_begin, int panel_end, uint16_t *packed) {
    const int pairs = round_up(k, 2) / 2;
    const int vector = pack_vectorised();
    for (int p = panel_begin; p < panel_end; p++) {
        uint32_t *dst = (uint32_t *)packed + (size_t)p * pairs * SK_BF16_NR;
        const int j0 = p * SK_BF16_NR;
        if (vector && j0 + SK_BF16_NR <= n) { pack_kn_panel_avx512(b, k, ldb, j0, dst); continue; }
        for (int q = 0; q < pairs; q++) {
            const uint16_t *r0 = b + (size_t)(2 * q) * ldb, *r1 = 2 * q + 1 < k ? b + (size_t)(2 * q + 1) * ldb : NULL;
            for (int j = 0; j < SK_BF16_NR; j++) {
                const int col = j0 + j;
                uint32_t lo = col < n ? r0[col] : 0, hi = col < n && r1 ? r1[col] : 0;
                dst[(size_t)q * SK_BF16_NR + j] = lo | (hi << 16);
            }
        }
    }
}

void sk_bf16_pack_b_nk(const uint16_t *w, int n, int k, int ldw, int panel_begin, int panel_end, uint16_t *packed) {
    const int pairs = round_up(k, 2) / 2;
    const int vector = pack_vectorised();
    for (int p = panel_begin; p < panel_end; p++) {
        uint32_t *dst = (uint32_t *)packed + (size_t)p * pairs * SK_BF16_NR;
        const int j0 = p * SK_BF16_NR;
        if (vector && j0 + SK_BF16_NR <= n) { pack_nk_panel_avx512(w, k, ldw, j0, dst); continue; }
        for (int j = 0; j < SK_BF16_NR; j++) {
            const int col = j0 + j;
            if (col >= n) {
                for (int q = 0; q < pairs; q++) dst[(size_t)q * SK_BF16_NR + j] = 0;
                continue;
            }
            // Row `col` of W holds column `col` of B: its pairs are adjacent 32-bit words.
            const uint16_t *row = w + (size_t)col * ldw;
            for (int q = 0; q < k / 2; q++) {
                uint32_t word;
                memcpy(&word, row + 2 * q, 4);
                dst[(size_t)q * SK_BF16_NR + j] = word;
            }
            if (k & 1) dst[(size_t)(pairs - 1) * SK_BF16_NR + j] = row[k - 1];
        }
    }
}

// Stores one row of a tile: the tile's valid columns of C, scaled by beta first unless beta is 0.
static inline void store_row(float *dst, const float *tile, int cols, float beta) {
    if (beta == 0.0f) {
        for (int j = 0; j < cols; j++) dst[j] = tile[j];
    } else {
        for (int j = 0; j < cols; j++) dst[j] = beta * dst[j] + tile[j];
    }
}

void sk_bf16_gemm_portable(const uint16_t *pa, const uint16_t *pb, int m, int n, int k,
                           int panel_begin, int panel_end, float beta, float *c, int ldc) {
    const int k2 = round_up(k, 2), pairs = k2 / 2;
    float tile[SK_BF16_NR];
    for (int p = panel_begin; p < panel_end; p++) {
        const uint32_t *panel = (const uint32_t *)pb + (size_t)p * pairs * SK_BF16_NR;
        const int j0 = p * SK_BF16_NR, cols = n - j0 < SK_BF16_NR ? n - j0 : SK_BF16_NR;
        for (int i = 0; i < m; i++) {
            const uint16_t *arow = pa + (size_t)i * k2;
            for (int j = 0; j < SK_BF16_NR; j++) tile[j] = 0;
            for (int q = 0; q < pairs; q++) {
                const float a0 = from_bf16(arow[2 * q]), a1 = from_bf16(arow[2 * q + 1]);
                for (int j = 0; j < SK_BF16_NR; j++) {
                    const uint32_t w = panel[(size_t)q * SK_BF16_NR + j];
                    tile[j] += a0 * from_bf16((uint16_t)(w & 0xFFFF)) + a1 * from_bf16((uint16_t)(w >> 16));
                }
            }
            store_row(c + (size_t)i * ldc + j0, tile, cols, beta);
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SK_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

static int pack_vectorised(void) {
    static int cached = -1;   // a benign race: every thread computes the same value
    if (cached < 0) cached = sk_bf16_avx512_available();
    return cached;
}

// One whole kn panel: for each pair of rows (2q, 2q + 1) of B, its 32 columns from j0 widened to
// 32-bit words (row 2q in the low half); an odd k's last pair has a zero high half.
static SK_AVX512BF16 void pack_kn_panel_avx512(const uint16_t *b, int k, int ldb, int j0, uint32_t *dst) {
    int q = 0;
    for (; 2 * q + 1 < k; q++) {
        const uint16_t *r0 = b + (size_t)(2 * q) * ldb + j0, *r1 = r0 + ldb;
        for (int h = 0; h < 2; h++) {
            __m512i lo = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(r0 + 16 * h)));
            __m512i hi = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(r1 + 16 * h)));
            _mm512_storeu_si512(dst + (size_t)q * SK_BF16_NR + 16 * h, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
        }
    }
    if (2 * q < k) {
        const uint16_t *r0 = b + (size_t)(2 * q) * ldb + j0;
        for (int h = 0; h < 2; h++)
            _mm512_storeu_si512(dst + (size_t)q * SK_BF16_NR + 16 * h, _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(r0 + 16 * h))));
    }
}

// One whole nk panel: word q of rows j0 … j0 + 31 of W (the pair (2q, 2q + 1) of B's column), two
// 16-row gathers a pair (scale 2: offsets in bf16 units, so any ldw); an odd k's last element alone.
static SK_AVX512BF16 void pack_nk_panel_avx512(const uint16_t *w, int k, int ldw, int j0, uint32_t *dst) {
    const __m512i rows = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i idx0 = _mm512_mullo_epi32(rows, _mm512_set1_epi32(ldw));
    const __m512i idx1 = _mm512_add_epi32(idx0, _mm512_set1_epi32(16 * ldw));
    const uint16_t *base = w + (size_t)j0 * ldw;
    int q = 0;
    for (; q < k / 2; q++) {
        const void *p = base + 2 * q;
        _mm512_storeu_si512(dst + (size_t)q * SK_BF16_NR, _mm512_i32gather_epi32(idx0, p, 2));
        _mm512_storeu_si512(dst + (size_t)q * SK_BF16_NR + 16, _mm512_i32gather_epi32(idx1, p, 2));
    }
    if (k & 1)
        for (int j = 0; j < SK_BF16_NR; j++) dst[(size_t)q * SK_BF16_NR + j] = base[(size_t)j * ldw + k - 1];
}

// One MR × NR tile: MR rows of packed A (each pair of k broadcast as one 32-bit word) against
// one panel (two 16-column vectors per pair); 2·MR accumulators stay in registers over all k.
SK_AVX512BF16
static void tile_kernel(const uint32_t *a, int a_stride, const uint32_t *panel, int pairs, float *out) {
    __m512 acc[SK_BF16_MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < SK_BF16_MR; r++) { acc[r][0] = _mm512_setzero_ps(); acc[r][1] = _mm512_setzero_ps(); }
    for (int q = 0; q < pairs; q++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)(panel + (size_t)q * SK_BF16_NR));
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(panel + (size_t)q * SK_BF16_NR + 16));
#pragma clang loop unroll(full)
        for (int r = 0; r < SK_BF16_MR; r++) {
            const __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[(size_t)r * a_stride + q]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < SK_BF16_MR; r++) {
        _mm512_storeu_ps(out + r * SK_BF16_NR, acc[r][0]);
        _mm512_storeu_ps(out + r * SK_BF16_NR + 16, acc[r][1]);
    }
}

SK_AVX512BF16
void sk_bf16_gemm_avx512(const uint16_t *pa, const uint16_t *pb, int m, int n, int k,
                         int panel_begin, int panel_end, float beta, float *c, int ldc) {
    const int k2 = round_up(k, 2), pairs = k2 / 2, a_stride = pairs;
    float tile[SK_BF16_MR * SK_BF16_NR] __attribute__((aligned(64)));
    for (int p = panel_begin; p < panel_end; p++) {
        const uint32_t *panel = (const uint32_t *)pb + (size_t)p * pairs * SK_BF16_NR;
        const int j0 = p * SK_BF16_NR, cols = n - j0 < SK_BF16_NR ? n - j0 : SK_BF16_NR;
        for (int i0 = 0; i0 < m; i0 += SK_BF16_MR) {
            tile_kernel((const uint32_t *)(pa + (size_t)i0 * k2), a_stride, panel, pairs, tile);
            const int rows = m - i0 < SK_BF16_MR ? m - i0 : SK_BF16_MR;
            for (int r = 0; r < rows; r++) store_row(c + (size_t)(i0 + r) * ldc + j0, tile + r * SK_BF16_NR, cols, beta);
        }
    }
}
#else
static int pack_vectorised(void) { return 0; }
static void pack_kn_panel_avx512(const uint16_t *b, int k, int ldb, int j0, uint32_t *dst) { (void)b; (void)k; (void)ldb; (void)j0; (void)dst; }
static void pack_nk_panel_avx512(const uint16_t *w, int k, int ldw, int j0, uint32_t *dst) { (void)w; (void)k; (void)ldw; (void)j0; (void)dst; }
void sk_bf16_gemm_avx512(const uint16_t *pa, const uint16_t *pb, int m, int n, int k,
                         int panel_begin, int panel_end, float beta, float *c, int ldc) {
    sk_bf16_gemm_portable(pa, pb, m, n, k, panel_begin, panel_end, beta, c, ldc);
}
#endif
