// ag::optim: optimisers with PyTorch's update rules (SGD, Adam, AdamW, RMSprop).
#pragma once

#include "ag/optim/adam.hpp"
#include "ag/optim/adamw.hpp"
#include "ag/optim/optimizer.hpp"
#include "ag/optim/rmsprop.hpp"
#include "ag/optim/sgd.hpp"
