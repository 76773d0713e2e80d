"""Write demo_logs/pytorch_add_graph: a PyTorch model with BatchNorm and Dropout logged by `add_graph`.

PyTorch traces in eval mode, so each BatchNorm and Dropout gets its own constant and the graph holds no
learning-phase flag: tb_phaseview must report none there. Needs `torch` (not part of the project's
dependencies): `pip install torch tensorboard`, then `python scripts/make_pytorch_demo.py [OUTDIR]`.

`--fixture DIR` writes the tests' `pytorch_mc_dropout` instead: a BatchNorm module called twice and two functional
dropouts always on (`F.dropout(x, training=True)`, Monte Carlo dropout), traced by `add_graph` in eval mode.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile

import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

RUN = "pytorch_add_graph"
FIXTURE = "pytorch_mc_dropout"
EVENT_FILE_NAME = "events.out.tfevents.1700000000.demo"  # fixed, like make_demo_logs.py


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(8 * 14 * 14, 10)
        self.bn_fc = nn.BatchNorm1d(10)

    def forward(self, x):
        x = self.drop(torch.relu(self.bn(self.conv(x))))
        return self.bn_fc(self.fc(x.flatten(1)))


class MonteCarloNet(nn.Module):
    """One BatchNorm module applied twice, and dropout kept on at inference by the functional call."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 16 * 16, 10)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = nn.functional.dropout(torch.relu(self.bn(self.conv2(x))), 0.2, training=True)
        return nn.functional.dropout(self.fc(x.flatten(1)), 0.2, training=True)


def write(model, outdir, run):
    torch.manual_seed(0)
    run_dir = os.path.join(outdir, run)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    with tempfile.TemporaryDirectory() as tmp:
        writer = SummaryWriter(tmp)
        # A model whose output is random traces with a warning (its two runs differ): expected here.
        writer.add_graph(model, torch.zeros(2, 3, 16, 16))
        writer.close()
        (event_file,) = glob.glob(os.path.join(tmp, "events.out.tfevents.*"))
        shutil.move(event_file, os.path.join(run_dir, EVENT_FILE_NAME))
    print(f"wrote {run_dir}")


def main(outdir="demo_logs"):
    write(SmallNet(), outdir, RUN)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fixture"]:
        torch.manual_seed(0)
        write(MonteCarloNet(), sys.argv[2], FIXTURE)
    else:
        main(*sys.argv[1:])
