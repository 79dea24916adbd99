// How many threads a parallel call uses, decided in one place for the
// compressor, the decoder and random access.
//
//   const unsigned n = parxz::ResolveThreads(options.threads);  // 0 = all
//   tbb::task_arena arena(static_cast<int>(n));
//
// 0 means every thread oneTBB may use: tbb::global_control's
// max_allowed_parallelism, which is the hardware's (or the process's CPU
// affinity's) unless the application lowered it. A larger request is
// clamped to the same limit: an arena with more slots than that only makes
// oneTBB print a warning, and the output never depends on the count.
#ifndef PARXZ_PARALLEL_THREADS_H_
#define PARXZ_PARALLEL_THREADS_H_

namespace parxz {

unsigned ResolveThreads(unsigned requested);

}  // namespace parxz

#endif  // PARXZ_PARALLEL_THREADS_H_
