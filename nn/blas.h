/* blas.h — the one place that picks sgemm or dgemm for nn_real. */
#ifndef NN_BLAS_H
#define NN_BLAS_H

#include <cblas.h>

#ifdef NN_DOUBLE
#define nn_gemm cblas_dgemm
#else
#define nn_gemm cblas_sgemm
#endif

#endif
