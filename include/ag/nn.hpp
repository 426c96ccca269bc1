// ag::nn: modules, layers, recurrent networks, losses and gradient clipping.
#pragma once

#include "ag/nn/functional.hpp"
#include "ag/nn/layers.hpp"
#include "ag/nn/linear.hpp"
#include "ag/nn/loss.hpp"
#include "ag/nn/loss_modules.hpp"
#include "ag/nn/module.hpp"
#include "ag/nn/rnn.hpp"
#include "ag/nn/utils.hpp"
