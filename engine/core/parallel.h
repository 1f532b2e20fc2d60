// A minimal parallel-for over std::thread: the codec's heavy loops (k-means, stream
// compression) split work into fixed chunks, so results never depend on the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace scenezip {

// Threads to use when a setting says 0 ("as many as the machine has").
inline int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(std::min(hw, 64u));
}

// Calls body(chunk) for chunk in [0, chunks) on up to `threads` threads; chunks are
// handed out in order. The first exception a body throws is rethrown here.
template <typename Body>
void parallel_chunks(std::size_t chunks, int threads, const Body& body) {
  const std::size_t workers = std::min<std::size_t>(chunks, static_cast<std::size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (std::size_t c = 0; c < chunks; ++c) body(c);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (std::size_t c = next++; c < chunks; c = next++) body(c);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = chunks;
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace scenezip
