// ag: a small reverse-mode autograd engine with recurrent networks.
// Include this one header to get everything.
#pragma once

#include "ag/autograd.hpp"
#include "ag/dtype.hpp"
#include "ag/error.hpp"
#include "ag/factory.hpp"
#include "ag/gradcheck.hpp"
#include "ag/graph.hpp"
#include "ag/io.hpp"
#include "ag/nn.hpp"
#include "ag/ops/activation.hpp"
#include "ag/ops/elementwise.hpp"
#include "ag/ops/linalg.hpp"
#include "ag/ops/reduce.hpp"
#include "ag/ops/shape.hpp"
#include "ag/optim.hpp"
#include "ag/parallel.hpp"
#include "ag/print.hpp"
#include "ag/random.hpp"
#include "ag/shape.hpp"
#include "ag/tensor.hpp"
