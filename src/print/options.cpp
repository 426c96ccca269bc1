// The process-wide print options (torch.set_printoptions), behind a mutex so that printing
// from several threads while one of them changes the options is not a data race.
#include <mutex>

#include "ag/print.hpp"

namespace ag {
namespace {

std::mutex& options_mutex() {
  static std::mutex m;
  return m;
}

PrintOptions& current_options() {
  static PrintOptions options;
  return options;
}

}  // namespace

void set_printoptions(const PrintOptions& options) {
  AG_CHECK(options.precision >= 0, "set_printoptions: precision must be >= 0, got ",
           options.precision);
  AG_CHECK(options.edgeitems >= 1, "set_printoptions: edgeitems must be >= 1, got ",
           options.edgeitems);
  std::lock_guard<std::mutex> lock(options_mutex());
  current_options() = options;
}

PrintOptions get_printoptions() {
  std::lock_guard<std::mutex> lock(options_mutex());
  return current_options();
}

}  // namespace ag
