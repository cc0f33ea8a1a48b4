// f32 micro-kernels for attention's tile products (issue 14, item 5): AVX-512 with run-time
// detection. The portable path is Swift's (Tensor/Core/TileKernel.swift); this target holds only
// what needs intrinsics.
//
// sk_tile_gemm_avx512 computes C[rows × n] = alpha · A[rows × depth] · B[depth × n] (+ C when
// `accumulate`), n a multiple of 16, with these operand layouts:
//   A: row block q (rows 12q … 12q + 11) starts at a + q·a_block; in it, element (i, p) is at
//      [p·lda + i]. Panels packed by sk_tile_pack_rows have a_block = 12·depth, lda = 12 (rows past
//      `rows` zero); a row-major matrix used transposed (Aᵀ = Mᵀ with M[depth × ≥rows] at stride ldm)
//      is read in place with a_block = 12, lda = ldm — no packing.
//   B: columns 16c … 16c + 15 of row p at b + c·b_panel + p·ldb: b_panel = 16 for a row-major matrix,
//      16·depth for panels of 16 rows packed transposed (Swift's packTransposed).
//   C: row r at c + r·ldc; only rows < rows and columns < n are written.
// Each C element is Σ_p A·B accumulated with fused multiply-adds in increasing p from 0, then
// scaled by alpha, then added to the old C — the order of Swift's 6 × 16 kernel, so both give the
// same bits for the same depth range.
//
// Causal skips (`causal`, `last`): row r of the product sees columns / depth terms up to last + r.
//   SK_TILE_FULL: none.
//   SK_TILE_COLUMNS: C's columns are keys; a column block past every row's last visible key is not
//     computed (left as it was: the caller masks it).
//   SK_TILE_DEPTH_TO: A's entries past row r's column last + r are exact zeros (probabilities of
//     invisible keys): each row block stops after its last row's last visible term.
//   SK_TILE_DEPTH_FROM: A's rows are keys and its depth runs over queries (Pᵀ·dO, dSᵀ·Q): key r is
//     seen by query p iff r ≤ last + p, so each row block starts at depth max(0, r₀ − last).
// Skipped terms are products with exact zeros, so skipping them changes no result.
#ifndef SK_CTILE_H
#define SK_CTILE_H

#define SK_TILE_MR 12

enum { SK_TILE_FULL = 0, SK_TILE_COLUMNS = 1, SK_TILE_DEPTH_TO = 2, SK_TILE_DEPTH_FROM = 3 };

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs AVX512F (and the OS saves zmm state), else 0.
int sk_tile_avx512_available(void);

/// Packs A[rows × depth] (element (r, p) at a[r·a_row + p·a_col]) into panels of 12 rows:
/// panels[q·12·depth + 12p + i] = A[12q + i, p], rows past `rows` zero. Holds ⌈rows/12⌉·12·depth floats.
void sk_tile_pack_rows(const float *a, int rows, int depth, long a_row, long a_col, float *panels);

/// The product described above; needs sk_tile_avx512_available().
void sk_tile_gemm_avx512(int rows, int n, int depth,
                         const float *a, long a_block, long lda,
                         const float *b, long ldb, long b_panel,
                         float *c, long ldc, float alpha, int accumulate, int causal, int last);

/// Softmax's exp pass, 16 lanes at a time: dst[i] = exp(src[i] − shift) for i < n − n % 16, the
/// same arithmetic as Swift's `vexp` (FastMath.swift: Cephes expf, every multiply and add rounded
/// separately, no FMA), so the results are bit-identical; adds each 16-block into the 8-lane running
/// sum `acc8` half by half (low 8 lanes first), as Swift's 8-lane loop would. Returns the number of
/// elements done; the caller finishes the rest. Needs sk_tile_avx512_available().
long sk_exp_shift_avx512(const float *src, float *dst, long n, float shift, float *acc8);

#ifdef __cplusplus
}
#endif

#endif
