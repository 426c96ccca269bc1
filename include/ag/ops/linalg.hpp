// Matrix products.
//
//   ag::matmul(x, W.t())   // [B, I] @ [I, H] -> [B, H]; both must have the same dtype
// matmul follows torch.matmul: 1-D·1-D (dot), 2-D·1-D, 1-D·2-D, 2-D·2-D, and batched
// (>= 3-D) with broadcasting of the batch dims.
#pragma once

#include "ag/tensor.hpp"

namespace ag {

Tensor matmul(const Tensor& a, const Tensor& b);
/// 2-D by 2-D only.
Tensor mm(const Tensor& a, const Tensor& b);
/// 3-D by 3-D with equal batch size.
Tensor bmm(const Tensor& a, const Tensor& b);
/// 1-D by 1-D.
Tensor dot(const Tensor& a, const Tensor& b);
/// 2-D by 1-D.
Tensor mv(const Tensor& a, const Tensor& b);
/// bias + a @ b in one pass (2-D a and b; bias broadcasts to the result), as torch.addmm.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);

}  // namespace ag
