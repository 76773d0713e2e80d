"""Write demo_logs/pytorch_add_graph: a PyTorch model with BatchNorm and Dropout logged by `add_graph`.

PyTorch traces in eval mode, so each BatchNorm and Dropout gets its own constant and the graph holds no
learning-phase flag: tb_phaseview must report none there. Needs `torch` (not part of the project's
dependencies): `pip install torch tensorboard`, then `python scripts/make_pytorch_demo.py [OUTDIR]`.
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


def main(outdir="demo_logs"):
    torch.manual_seed(0)
    run_dir = os.path.join(outdir, RUN)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    with tempfile.TemporaryDirectory() as tmp:
        writer = SummaryWriter(tmp)
        writer.add_graph(SmallNet(), torch.zeros(2, 3, 16, 16))
        writer.close()
        (event_file,) = glob.glob(os.path.join(tmp, "events.out.tfevents.*"))
        shutil.move(event_file, os.path.join(run_dir, EVENT_FILE_NAME))
    print(f"wrote {run_dir}")


if __name__ == "__main__":
    main(*sys.argv[1:])
