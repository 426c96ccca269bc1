#!/usr/bin/python3
"""PyTorch's losses for tests/nn/training_test.cpp: an RNN + Linear trained a few steps.

Full BPTT: every step runs the whole sequence. Truncated BPTT: the sequence is cut into
chunks; the hidden state is carried over but detached between chunks, with one optimiser step
per chunk.   /usr/bin/python3 tests/reference/make_training_cases.py
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 5, num_layers=2, batch_first=True)
        self.head = nn.Linear(5, 2)

    def forward(self, x, h=None):
        out, h = self.rnn(x, h)
        return self.head(out), h


def fmt(v):
    return "{" + ", ".join("%.9g" % x for x in v) + "}"


def full(opt_name):
    torch.manual_seed(0)
    net = Net()
    x = torch.randn(4, 6, 3)
    y = torch.randn(4, 6, 2)
    opt = (torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9) if opt_name == "sgd"
           else torch.optim.Adam(net.parameters(), lr=0.01))
    losses = []
    for _ in range(5):
        opt.zero_grad()
        out, _ = net(x)
        loss = F.mse_loss(out, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, net.head.bias.detach().tolist()


def truncated():
    torch.manual_seed(1)
    net = Net()
    x = torch.randn(2, 12, 3)
    y = torch.randn(2, 12, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    losses = []
    for epoch in range(2):
        h = None
        for c in range(3):
            xs, ys = x[:, 4 * c:4 * c + 4], y[:, 4 * c:4 * c + 4]
            opt.zero_grad()
            out, h = net(xs, h)
            loss = F.mse_loss(out, ys)
            loss.backward()
            opt.step()
            h = h.detach()
            losses.append(loss.item())
    return losses


for name in ("sgd", "adam"):
    losses, bias = full(name)
    print(name, "losses", fmt(losses))
    print(name, "head.bias", fmt(bias))
print("truncated losses", fmt(truncated()))
