"""Write demo_logs/pytorch_add_graph: a PyTorch model with BatchNorm and Dropout logged by `add_graph`.

PyTorch traces in eval mode, so each BatchNorm and Dropout gets its own constant and the graph holds no
learning-phase flag: tb_phaseview must report none there. Needs `torch` (not part of the project's
dependencies): `pip install torch tensorboard`, then `python scripts/make_pytorch_demo.py [OUTDIR]`.

`--fixture DIR` writes the tests' graphs instead: `pytorch_mc_dropout`, a BatchNorm module called twice and two
functional dropouts always on (`F.dropout(x, training=True)`, Monte Carlo dropout), traced by `add_graph` in eval
mode; `pytorch_nested` (containers of layers), `pytorch_blocks` (residual blocks in a ModuleList, a transposed
convolution, a group norm) and `pytorch_text` (an embedding, a layer norm, a bidirectional LSTM of two layers), each
with PyTorch's own parameter counts beside it (`counts.json`).
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


class Block(nn.Module):
    """A residual block: two convolutions without bias, each batch-normalised."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.relu(x + self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class BlocksNet(nn.Module):
    """Blocks in an ``nn.ModuleList`` (their weights read in the list's scope, computed with in the block's), an
    upsampling transposed convolution and a group norm."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 5, padding=2)
        self.blocks = nn.ModuleList([Block(16) for _ in range(2)])
        self.up = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
        self.norm = nn.GroupNorm(4, 8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.fc(self.norm(self.up(x)).mean((2, 3)))


class TextNet(nn.Module):
    """An embedding (its rows nowhere in the graph), a layer norm and a two-layer bidirectional LSTM."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 16)
        self.norm = nn.LayerNorm(16)
        self.lstm = nn.LSTM(16, 32, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(64, 4)

    def forward(self, x):
        h, _ = self.lstm(self.norm(self.embed(x)))
        return self.head(h[:, -1])


def counts(model) -> dict:
    """PyTorch's own parameter counts, for the tests: in all, and by module (its qualified name, ``features.0``)."""
    return {
        "total": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "modules": {
            name: sum(p.numel() for p in module.parameters()) for name, module in model.named_modules() if name
        },
    }


def write(model, outdir, run, example=None):
    torch.manual_seed(0)
    run_dir = os.path.join(outdir, run)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    with tempfile.TemporaryDirectory() as tmp:
        writer = SummaryWriter(tmp)
        # A model whose output is random traces with a warning (its two runs differ): expected here.
        writer.add_graph(model, torch.zeros(2, 3, 16, 16) if example is None else example)
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
        for run, make, example in (
            (NESTED, NestedNet, None),
            ("pytorch_blocks", BlocksNet, None),
            ("pytorch_text", TextNet, torch.zeros(2, 7, dtype=torch.long)),
        ):
            torch.manual_seed(0)
            model = make().eval()
            write(model, sys.argv[2], run, example)
            with open(os.path.join(sys.argv[2], run, "counts.json"), "w") as f:
                json.dump(counts(model), f, indent=1, sort_keys=True)
    else:
        main(*sys.argv[1:])
