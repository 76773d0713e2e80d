"""Write demo_logs/pytorch_add_graph: a PyTorch model with BatchNorm and Dropout logged by `add_graph`.

PyTorch traces in eval mode, so each BatchNorm and Dropout gets its own constant and the graph holds no
learning-phase flag: tb_phaseview must report none there. Needs `torch` (not part of the project's
dependencies): `pip install torch tensorboard`, then `python scripts/make_pytorch_demo.py [OUTDIR]`.

`--fixture DIR` writes the tests' graphs instead: `pytorch_mc_dropout`, a BatchNorm module called twice and two
functional dropouts always on (`F.dropout(x, training=True)`, Monte Carlo dropout), traced by `add_graph` in eval
mode; `pytorch_nested`, containers of layers, with PyTorch's own parameter counts beside it (`counts.json`).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys
import tempfile

import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

RUN = "pytorch_add_graph"
FIXTURE = "pytorch_mc_dropout"
NESTED = "pytorch_nested"
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


class NestedNet(nn.Module):
    """Containers (``nn.Sequential``) holding layers, a convolution without bias, and a strided one, whose kernel
    its input and output sizes do not tell."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.head(self.pool(self.features(x)))


def counts(model) -> dict:
    """PyTorch's own parameter counts, for the tests: in all, and by module (its qualified name, ``features.0``)."""
    return {
        "total": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "modules": {
            name: sum(p.numel() for p in module.parameters()) for name, module in model.named_modules() if name
        },
    }


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
        torch.manual_seed(0)
        nested = NestedNet()
        write(nested, sys.argv[2], NESTED)
        with open(os.path.join(sys.argv[2], NESTED, "counts.json"), "w") as f:
            json.dump(counts(nested), f, indent=1, sort_keys=True)
    else:
        main(*sys.argv[1:])
