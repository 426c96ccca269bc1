// Intra-op parallelism: how many threads ag's kernels (GEMM first) may use.
//
// ag keeps one pool of persistent worker threads; a kernel call that is big enough splits its
// work between the calling thread and the workers. Results never depend on the thread count.
#pragma once

namespace ag {

/// Lets ag's kernels use `n` threads (the calling thread plus n - 1 workers); n >= 1.
/// Takes effect at the next parallel kernel call.
void set_num_threads(int n);

/// The number of threads ag's kernels may use. Defaults to std::thread::hardware_concurrency()
/// (at least 1).
int get_num_threads();

}  // namespace ag
