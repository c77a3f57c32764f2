/*
 * oneMKL, linked into DJL's libtorch, picks its kernels by CPU vendor: on AMD processors it runs a
 * generic code path although they have the same AVX2/AVX-512 instructions as the Intel ones it
 * optimises for. MKL asks this exported function whether the CPU is Intel's; a preloaded definition
 * that answers yes makes it dispatch on the instruction set instead. With CPI_MKL_SHIM=1 on an AMD CPU,
 * the ./cpi launcher builds this file with the system C compiler and preloads it (opt-in: other kernels
 * round differently); docs/performance.md has the measurements.
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}
