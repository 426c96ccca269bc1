// How Python prints a float (repr), for module reprs such as "dropout=0.1".
#pragma once

#include <string>

namespace ag::nn {

/// Shortest text that reads back as `v`, in Python's repr style: "0.5", "1.0", "1e-05".
std::string python_float(double v);

}  // namespace ag::nn
