/* blas_limits.h — OpenBLAS under an address-space limit (ulimit -v). */
#ifndef NN_CLI_BLAS_LIMITS_H
#define NN_CLI_BLAS_LIMITS_H

/* Call first in main. Without a limit it does nothing. Under one (OpenBLAS
 * has already been given only the threads the limit has room for, before
 * it was loaded), OpenBLAS's work buffer is taken now: 1 if the program may
 * go on, 0 after printing "out of memory" (nothing else is done). */
int cli_fit_blas_to_limit(void);

#endif
