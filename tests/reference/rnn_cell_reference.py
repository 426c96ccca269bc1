#!/usr/bin/python3
"""PyTorch's numbers for tests/autograd/rnn_cell_test.cpp (the unrolled hand-written cell)."""
import torch


def pattern(n, seed):
    return [((17 * i + seed) % 23) / 11.5 - 1.0 for i in range(n)]


T, B, I, H, O = 5, 2, 4, 6, 1
x = torch.tensor(pattern(T * B * I, 1)).reshape(T, B, I).requires_grad_()
Wx = torch.tensor(pattern(H * I, 2)).reshape(H, I).requires_grad_()
Wh = torch.tensor(pattern(H * H, 3)).reshape(H, H).requires_grad_()
b = torch.tensor(pattern(H, 4)).requires_grad_()
Wy = torch.tensor(pattern(O * H, 5)).reshape(O, H).requires_grad_()
h = torch.zeros(B, H)
for t in range(T):
    h = torch.tanh(x[t] @ Wx.t() + h @ Wh.t() + b)
y = torch.sigmoid(h @ Wy.t())
y.sum().backward()
fmt = lambda t: ", ".join("%.9g" % v for v in t.reshape(-1).tolist())
print("y", fmt(y.detach()))
print("b.grad", fmt(b.grad))
print("Wy.grad", fmt(Wy.grad))
print("Wh.grad", fmt(Wh.grad))
print("Wx.grad", fmt(Wx.grad))
print("x.grad[0]", fmt(x.grad[0]))
