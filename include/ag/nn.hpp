// ag::nn: modules, layers, recurrent networks and losses.
#pragma once

#include "ag/nn/functional.hpp"
#include "ag/nn/layers.hpp"
#include "ag/nn/linear.hpp"
#include "ag/nn/module.hpp"
#include "ag/nn/rnn.hpp"
