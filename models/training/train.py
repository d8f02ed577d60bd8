#!/usr/bin/python3
"""Train a tiny anchor-free detector from scratch on a YOLO-format folder and export it for Winnow.

    sudo apt-get install -y python3-torch python3-onnx python3-pil python3-numpy
    /usr/bin/python3 models/training/train.py --data DATASET --out OUTDIR [--epochs 60] [--imgsz 320] [--imgh 256] [--seed 0]
    /usr/bin/python3 models/training/train.py --data DATASET --out OUTDIR --smoke      # ~1 minute, for CI

DATASET is the YOLO format (data.yaml with names, images/, labels/*.txt `cls cx cy w h` normalised) as
exported by `winnow-agent export-dataset`, Ultralytics, Roboflow, CVAT or Label Studio.

OUTDIR receives model.onnx (opset 17, Ultralytics output layout [1, 4+nc, N]: cx, cy, w, h in input pixels,
then sigmoid class scores), model.json (the card the Java side loads strictly) and metrics.json.

When DATASET has images/train and images/val (as export-dataset writes), those splits are used; otherwise the
images are split by --val-fraction and --seed. The input is --imgsz wide and --imgh high (default square); pick the
aspect of your camera (320x240 frames -> --imgsz 320 --imgh 256) so letterboxing wastes little.

The network: three stride-2 conv stages to stride 8 (plus a stride-16 context branch added back), with
--stride 4 brought back up onto the stride-4 features, then a head that predicts per grid cell the class
logits and the distances (left, top, right, bottom) from the cell centre to the box edges. Each label is
assigned to the cells near its centre that fall inside it (centre sampling). Losses: BCE for classes,
GIoU + L1 for boxes. Pre-processing matches the Java Preprocessor: letterbox, pad 114, RGB, scale 1/255.
Deterministic from --seed (torch.use_deterministic_algorithms on CPU).
"""
import argparse
import json
import math
import os
import random
import re
import sys
import time

import numpy as np

# OpenMP workers spin while they wait for each other; with --threads > 1 on a machine whose cores are busy with
# anything else, the spinning steals the cores the workers wait for (an epoch measured 13x slower at load 6 on
# 2 cores). Passive waiting costs little when the machine is idle. Must be set before torch loads OpenMP.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 8
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp")


# ---------------------------------------------------------------- data

def read_names(root):
    """The names of data.yaml (flow list, block list or index map), without a YAML library."""
    text = open(os.path.join(root, "data.yaml"), encoding="utf-8").read().splitlines()
    names, i = None, 0
    while i < len(text):
        line = text[i].split(" #")[0].rstrip()
        if line.startswith("names:"):
            rest = line[len("names:"):].strip()
            if rest.startswith("["):
                names = [n.strip().strip("'\"") for n in rest.strip("[]").split(",") if n.strip()]
            else:
                names, indexed = [], {}
                i += 1
                while i < len(text) and (text[i].startswith(" ") or text[i].startswith("-") or not text[i].strip()):
                    item = text[i].split(" #")[0].strip()
                    if item.startswith("-"):
                        names.append(item[1:].strip().strip("'\""))
                    elif ":" in item:
                        k, v = item.split(":", 1)
                        indexed[int(k)] = v.strip().strip("'\"")
                    i += 1
                if indexed:
                    names = [indexed[k] for k in sorted(indexed)]
                continue
        i += 1
    if not names:
        sys.exit("data.yaml has no names")
    return names


def token(name):
    """Class name as a wire-style token, like ModelCard.toToken on the Java side."""
    t = re.sub(r"[^a-z0-9_\-]+", "_", name.strip().lower())
    t = re.sub(r"^[^a-z]+", "", t)
    return t or "class"


def read_rows(path):
    """YOLO rows `cls cx cy w h` (polygons reduced to their box) as an [n, 5] array; none when the file is absent."""
    boxes = []
    if os.path.exists(path):
        for line in open(path):
            v = line.split()
            if len(v) == 5:
                boxes.append([float(x) for x in v])
            elif len(v) > 5:  # polygon → bounding box
                xs, ys = [float(x) for x in v[1::2]], [float(y) for y in v[2::2]]
                boxes.append([float(v[0]), (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2,
                              max(xs) - min(xs), max(ys) - min(ys)])
    return np.array(boxes, np.float32).reshape(-1, 5)


def list_samples(root, sub=None):
    """(image, labels, ignore regions) per image. Ignore regions (ignore/<same path>.txt, label format) are objects
    too faint to label either way: the loss does not punish the model for seeing them, evaluation leaves a prediction
    on one out (as the Java Metrics)."""
    images = []
    for d, _, files in os.walk(os.path.join(root, "images", sub) if sub else os.path.join(root, "images")):
        images += [os.path.join(d, f) for f in files if f.lower().endswith(IMAGE_EXT)]
    images.sort()
    samples = []
    for img in images:
        rel = os.path.splitext(os.path.relpath(img, os.path.join(root, "images")))[0] + ".txt"
        samples.append((img, read_rows(os.path.join(root, "labels", rel)), read_rows(os.path.join(root, "ignore", rel))))
    return samples


_CACHE = {}


def load_canvas(path, size, cache):
    """Letterboxed HWC uint8 RGB canvas (pad 114, centred like the Java Preprocessor) and its geometry."""
    if cache and path in _CACHE:
        return _CACHE[path]
    from PIL import Image
    W, H = size
    im = Image.open(path).convert("RGB")
    w, h = im.size
    r = min(W / w, H / h)
    nw, nh = max(1, min(W, round(w * r))), max(1, min(H, round(h * r)))
    pixels = np.asarray(im)
    if (nw, nh) != (w, h):
        # Plain bilinear with pixel-centre alignment and no anti-aliasing, exactly like the Java Preprocessor
        # (PIL's resize would low-pass when shrinking and the model would see other pixels than on the line).
        t = torch.from_numpy(pixels.astype(np.float32)).permute(2, 0, 1)[None]
        t = F.interpolate(t, size=(nh, nw), mode="bilinear", align_corners=False)
        pixels = t[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).numpy()
    canvas = np.full((H, W, 3), 114, np.uint8)
    px, py = (W - nw) // 2, (H - nh) // 2
    canvas[py:py + nh, px:px + nw] = pixels
    out = (canvas, (r, px, py, nw, nh))
    if cache:
        _CACHE[path] = out
    return out


def letterbox(path, size, augment, rng, cache=True):
    """Image → (CHW float tensor in 0..1 RGB, geometry for to_pixels). size = (width, height)."""
    canvas, (r, px, py, nw, nh) = load_canvas(path, size, cache)
    x = canvas.astype(np.float32) / 255.0
    flip = augment and rng.random() < 0.5
    vflip = augment and rng.random() < 0.5
    if augment:  # brightness / contrast / per-channel gain jitter so the model does not learn one lighting
        gain = np.array([rng.uniform(0.92, 1.08) for _ in range(3)], np.float32)
        x = np.clip(((x - 0.5) * rng.uniform(0.8, 1.2) + 0.5 + rng.uniform(-0.08, 0.08)) * gain, 0, 1)
    if flip:
        x = x[:, ::-1]
    if vflip:
        x = x[::-1]
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))), (r, px, py, nw, nh, flip, vflip)


def crop(x, boxes, size, crop_size, rng, ignore=None):
    """A crop_size window of the letterboxed CHW image, centred near a random object most of the time (objects are
    small and most of a frame is easy background). Boxes are shifted and clipped; a box keeping less than 40% of
    its area in the window is no longer a label (the window is not centred on it) but an ignore region, like the
    ignore regions given, which are clipped to the window. Returns (window, labels, ignore regions)."""
    W, H = size
    cw, ch = crop_size
    if len(boxes) and rng.random() < 0.8:
        k = boxes[rng.randrange(len(boxes))].tolist()
        mx = (k[1] + k[3]) / 2 + rng.uniform(-cw / 3, cw / 3)
        my = (k[2] + k[4]) / 2 + rng.uniform(-ch / 3, ch / 3)
    else:
        mx, my = rng.uniform(0, W), rng.uniform(0, H)
    x0 = int(min(max(0, round(mx - cw / 2)), W - cw))
    y0 = int(min(max(0, round(my - ch / 2)), H - ch))
    out, ign = [], []
    for c, x1, y1, x2, y2 in boxes.tolist():
        a = max(1e-6, (x2 - x1) * (y2 - y1))
        nx1, ny1 = max(x1 - x0, 0), max(y1 - y0, 0)
        nx2, ny2 = min(x2 - x0, cw), min(y2 - y0, ch)
        if nx2 > nx1 and ny2 > ny1:
            ((out if (nx2 - nx1) * (ny2 - ny1) >= 0.4 * a else ign)).append([c, nx1, ny1, nx2, ny2])
    for c, x1, y1, x2, y2 in ([] if ignore is None else ignore.tolist()):
        nx1, ny1 = max(x1 - x0, 0), max(y1 - y0, 0)
        nx2, ny2 = min(x2 - x0, cw), min(y2 - y0, ch)
        if nx2 > nx1 and ny2 > ny1:
            ign.append([c, nx1, ny1, nx2, ny2])
    return (x[:, y0:y0 + ch, x0:x0 + cw], torch.tensor(out, dtype=torch.float32).reshape(-1, 5),
            torch.tensor(ign, dtype=torch.float32).reshape(-1, 5))


def to_pixels(labels, geom, size):
    r, px, py, nw, nh, flip, vflip = geom
    W, H = size
    out = []
    for c, cx, cy, bw, bh in labels:
        x1, x2 = px + (cx - bw / 2) * nw, px + (cx + bw / 2) * nw
        y1, y2 = py + (cy - bh / 2) * nh, py + (cy + bh / 2) * nh
        if flip:
            x1, x2 = W - x2, W - x1
        if vflip:
            y1, y2 = H - y2, H - y1
        out.append([c, x1, y1, x2, y2])
    return torch.tensor(out, dtype=torch.float32).reshape(-1, 5)


# ---------------------------------------------------------------- model

def conv(cin, cout, s):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.SiLU())


class Residual(nn.Module):
    """x + two 3x3 convs. The second BatchNorm starts at zero, so a block added to a trained network leaves its output
    unchanged at first (--init from a model with fewer blocks): depth is added without losing what was learnt."""

    def __init__(self, c):
        super().__init__()
        self.a = conv(c, c, 1)
        self.b = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        nn.init.zeros_(self.b[1].weight)

    def forward(self, x):
        return x + self.b(self.a(x))


class TinyDet(nn.Module):
    """~0.2 M parameters at width 16: a few ms per 320x256 frame on one x86 core (ONNX Runtime).

    Six conv layers to stride 8 (receptive field ~55 px) plus a cheap stride-16 context branch added back onto the
    stride-8 map (receptive field ~170 px), so long objects (twine, string, straw) are seen whole.

    With stride 4 the head sits on a stride-4 map: the stride-4 features of the body plus the (context-enriched)
    stride-8 map brought up to them. Hair-thin contaminants (a string or a coloured fibre is under a pixel thick and
    a few pixels long at 3 mm per pixel) then get cells of their own instead of sharing an 8-px cell with the cotton
    around them; the extra cost is one 3x3 conv at 2*width channels.

    blocks > 0 adds that many residual blocks at each scale (stride 4, 8 and 16): more depth to tell feathers from
    tufts of cotton by their texture, ~70 % more compute per block."""

    def __init__(self, nc, width=16, context=True, stride=8, blocks=0):
        super().__init__()
        w = width
        self.nc = nc
        self.stride = stride
        self.stem = nn.Sequential(conv(3, w, 2), conv(w, 2 * w, 2), conv(2 * w, 2 * w, 1))
        self.body = nn.Sequential(conv(2 * w, 4 * w, 2), conv(4 * w, 4 * w, 1), conv(4 * w, 4 * w, 1))
        self.ctx = nn.Sequential(conv(4 * w, 4 * w, 2), conv(4 * w, 4 * w, 1), conv(4 * w, 4 * w, 1),
                                 conv(4 * w, 4 * w, 1), *[Residual(4 * w) for _ in range(blocks)]) if context else None
        self.deep8 = nn.Sequential(*[Residual(4 * w) for _ in range(blocks)])
        if stride == 4:
            self.reduce = nn.Sequential(nn.Conv2d(4 * w, 2 * w, 1, bias=False), nn.BatchNorm2d(2 * w), nn.SiLU())
            self.fine = conv(2 * w, 2 * w, 1)
            self.deep4 = nn.Sequential(*[Residual(2 * w) for _ in range(blocks)])
            head = 2 * w
        else:
            head = 4 * w
        self.cls = nn.Conv2d(head, nc, 1)
        self.box = nn.Conv2d(head, 4, 1)
        nn.init.constant_(self.cls.bias, -4.0)  # rare positives: start from low scores

    def forward(self, x):
        f4 = self.stem(x)
        f = self.deep8(self.body(f4))
        if self.ctx is not None:
            f = f + F.interpolate(self.ctx(f), scale_factor=2.0, mode="nearest")
        if self.stride == 4:
            f = self.deep4(self.fine(f4 + F.interpolate(self.reduce(f), scale_factor=2.0, mode="nearest")))
        return self.cls(f), self.box(f)  # [B,nc,H,W] logits, [B,4,H,W] log-distances


def narrow(state, net):
    """The weights of a wider TinyDet (same classes, stride, context and blocks) cut down to net's width, keeping
    each layer's strongest channels: the L1 norm of a filter times its BatchNorm scale, which is what the channel
    hands on to the next layer. Maps that are added together (the stride-4 stream, the stride-8 stream with its
    context branch, a residual block's input and output) must keep the same channels, so each such group is ranked
    once, by the sum of its writers' normalised strengths. Fine-tuning then recovers most of what the dropped
    channels did, in a fraction of the epochs a training from scratch takes."""
    # Each conv (a Conv-BatchNorm pair) by name, the channel group it writes, and the group it reads.
    layers = {"stem.0": ("stem.0", None), "stem.1": ("stem.1", "stem.0"), "stem.2": ("s4", "stem.1"),
              "body.0": ("body.0", "s4"), "body.1": ("body.1", "body.0"), "body.2": ("s8", "body.1"),
              "ctx.0": ("ctx.0", "s8"), "ctx.1": ("ctx.1", "ctx.0"), "ctx.2": ("ctx.2", "ctx.1"),
              "ctx.3": ("s8", "ctx.2"), "reduce": ("s4", "s8"), "fine": ("s4b", "s4")}
    layers = {name: io for name, io in layers.items() if f"{name}.0.weight" in state}  # no context, stride 8
    for r in sorted(k[:-len(".a.0.weight")] for k in state if k.endswith(".a.0.weight")):
        stream = "s4b" if r.startswith("deep4") else "s8"
        layers[f"{r}.a"] = (f"{r}.a", stream)
        layers[f"{r}.b"] = (stream, f"{r}.a")
    head = "s4b" if "fine" in layers else "s8"
    keys = {name: (f"{name}.0.weight", f"{name}.1") for name in layers}
    target = {k: v.shape for k, v in net.state_dict().items()}
    strength = {}
    for name, (group, _) in layers.items():
        weight, bn = keys[name]
        s = state[weight].abs().flatten(1).sum(1) * state[f"{bn}.weight"].abs() \
            / (state[f"{bn}.running_var"] + 1e-5).sqrt()
        strength[group] = strength.get(group, 0) + s / s.mean().clamp_min(1e-12)
    keep = {}
    for name, (group, _) in layers.items():
        keep.setdefault(group, torch.sort(torch.topk(strength[group], target[keys[name][0]][0]).indices).values)
    out = {}
    for name, (group, reads) in layers.items():
        weight, bn = keys[name]
        w = state[weight][keep[group]]
        out[weight] = w if reads is None else w[:, keep[reads]]
        for p in ("weight", "bias", "running_mean", "running_var"):
            out[f"{bn}.{p}"] = state[f"{bn}.{p}"][keep[group]]
        out[f"{bn}.num_batches_tracked"] = state[f"{bn}.num_batches_tracked"]
    for name in ("cls", "box"):
        out[f"{name}.weight"] = state[f"{name}.weight"][:, keep[head]]
        out[f"{name}.bias"] = state[f"{name}.bias"]
    wrong = {k: (tuple(out[k].shape), tuple(v)) for k, v in target.items() if k in out and out[k].shape != v}
    if wrong or set(out) != set(target):
        raise ValueError(f"cannot narrow this model: shapes {wrong}, missing {sorted(set(target) - set(out))}, "
                         f"extra {sorted(set(out) - set(target))}")
    return out


class Export(nn.Module):
    """Ultralytics layout: [1, 4+nc, N] with cx, cy, w, h in input pixels and sigmoid scores."""

    def __init__(self, net, size):
        super().__init__()
        self.net = net
        gx, gy = size[0] // STRIDE, size[1] // STRIDE
        ys, xs = torch.meshgrid(torch.arange(gy), torch.arange(gx), indexing="ij")
        self.register_buffer("cx", ((xs.reshape(-1).float() + 0.5) * STRIDE)[None])
        self.register_buffer("cy", ((ys.reshape(-1).float() + 0.5) * STRIDE)[None])

    def forward(self, x):
        cls, box = self.net(x)
        b = x.shape[0]
        d = box.exp().reshape(b, 4, -1) * STRIDE
        l, t, r, bo = d[:, 0], d[:, 1], d[:, 2], d[:, 3]
        x1, y1, x2, y2 = self.cx - l, self.cy - t, self.cx + r, self.cy + bo
        xywh = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], 1)
        return torch.cat([xywh, cls.reshape(b, self.net.nc, -1).sigmoid()], 1)


# ---------------------------------------------------------------- loss

def grid(size):
    gx, gy = size[0] // STRIDE, size[1] // STRIDE
    cy, cx = torch.meshgrid((torch.arange(gy).float() + 0.5) * STRIDE, (torch.arange(gx).float() + 0.5) * STRIDE,
                            indexing="ij")
    return cx.reshape(-1), cy.reshape(-1)


def targets(boxes, size, nc, ignore=None):
    """Centre sampling: cells whose centre lies inside the box and within 1.5 cells of its centre. Also a [nc, n]
    mask of the cells where a class's score is not trained: inside an ignore region of that class (or its centre
    cell) and not a positive of that class; None without ignore regions."""
    cx, cy = grid(size)
    n = cx.numel()
    cls_t = torch.zeros(nc, n)
    box_t = torch.zeros(4, n)
    area_t = torch.full((n,), float("inf"))
    for k, x1, y1, x2, y2 in boxes.tolist():
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        inside = (cx > x1) & (cx < x2) & (cy > y1) & (cy < y2)
        near = ((cx - mx).abs() < 1.5 * STRIDE) & ((cy - my).abs() < 1.5 * STRIDE)
        m = near & (inside | (((cx - mx).abs() < STRIDE / 2) & ((cy - my).abs() < STRIDE / 2)))
        area = (x2 - x1) * (y2 - y1)
        m = m & (area < area_t)  # smaller objects win shared cells
        area_t[m] = area
        cls_t[:, m] = 0
        cls_t[int(k), m] = 1
        box_t[:, m] = torch.tensor([x1, y1, x2, y2])[:, None]
    skip = None
    if ignore is not None and len(ignore):
        skip = torch.zeros(nc, n, dtype=torch.bool)
        for k, x1, y1, x2, y2 in ignore.tolist():
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            inside = (cx > x1) & (cx < x2) & (cy > y1) & (cy < y2)
            centre = ((cx - mx).abs() < STRIDE / 2) & ((cy - my).abs() < STRIDE / 2)
            skip[int(k)] |= inside | centre
        skip &= cls_t == 0
    return cls_t, box_t, area_t < float("inf"), skip


def giou(a, b):
    ix1, iy1 = torch.max(a[0], b[0]), torch.max(a[1], b[1])
    ix2, iy2 = torch.min(a[2], b[2]), torch.min(a[3], b[3])
    inter = (ix2 - ix1).clamp(0) * (iy2 - iy1).clamp(0)
    area = lambda z: (z[2] - z[0]).clamp(0) * (z[3] - z[1]).clamp(0)
    union = area(a) + area(b) - inter + 1e-7
    cw = torch.max(a[2], b[2]) - torch.min(a[0], b[0])
    ch = torch.max(a[3], b[3]) - torch.min(a[1], b[1])
    return inter / union - (cw * ch - union) / (cw * ch + 1e-7)


def class_weights(flag, spec, names, data):
    """CLASS=W[,CLASS=W...] as an [nc] tensor of weights (1 for classes not named), or None without a spec."""
    if not spec:
        return None
    weights = torch.ones(len(names))
    for item in spec.split(","):
        k, _, v = item.partition("=")
        if k not in names:
            sys.exit(f"{flag}: '{k}' is not a class of {data} ({', '.join(names)})")
        try:
            weights[names.index(k)] = float(v)
        except ValueError:
            sys.exit(f"{flag} {k}: '{v}' is not a number")
        if not weights[names.index(k)] > 0:
            sys.exit(f"{flag} {k}: must be > 0")
    return weights


def loss_fn(cls, box, batch_targets, size, neg_weight=None, pos_weight=None):
    """neg_weight: optional [nc] tensor; a class's score on cells that are not that class costs this many times more
    (a class the model imagines in the background: feathers in tufts of cotton). pos_weight: optional [nc] tensor; a
    missed score on cells that are that class costs this many times more (a class the model overlooks)."""
    cx, cy = grid(size)
    total_cls, total_box, npos = 0.0, 0.0, 0
    for i, (cls_t, box_t, pos, skip) in enumerate(batch_targets):
        logits = cls[i].reshape(cls.shape[1], -1)
        if neg_weight is None and pos_weight is None and skip is None:
            total_cls = total_cls + F.binary_cross_entropy_with_logits(logits, cls_t, reduction="sum")
        else:
            w = torch.ones_like(cls_t)
            if neg_weight is not None:
                w = w + (neg_weight[:, None] - 1) * (1 - cls_t)
            if pos_weight is not None:
                w = w + (pos_weight[:, None] - 1) * cls_t
            if skip is not None:
                w = w.masked_fill(skip, 0.0)
            total_cls = total_cls + F.binary_cross_entropy_with_logits(logits, cls_t, weight=w, reduction="sum")
        if pos.any():
            d = box[i].reshape(4, -1)[:, pos].clamp(max=8).exp() * STRIDE
            p = torch.stack([cx[pos] - d[0], cy[pos] - d[1], cx[pos] + d[2], cy[pos] + d[3]])
            t = box_t[:, pos]
            total_box = total_box + (1 - giou(p, t)).sum() + 0.02 * F.l1_loss(p, t, reduction="sum") / STRIDE
            npos += int(pos.sum())
    n = max(1, npos)
    return (total_cls + 5 * total_box) / n


def distill_loss(cls, box, teacher_cls, teacher_box, npos):
    """How far the student's outputs are from a trained teacher's on the same crops: BCE to the teacher's class scores
    on every cell (less the teacher's own entropy, so a perfect copy costs 0) and L1 to its box distances on the cells
    where the teacher is sure of something (weighted by that score). The teacher's scores carry what labels cannot:
    how much a tuft looks like a feather. Scaled like loss_fn, per labelled cell."""
    p = teacher_cls.sigmoid()
    kd_cls = F.binary_cross_entropy_with_logits(cls, p, reduction="sum") \
        - F.binary_cross_entropy_with_logits(teacher_cls, p, reduction="sum")
    sure = p.max(1, keepdim=True).values
    kd_box = (sure * (sure > 0.3) * (box - teacher_box).abs()).sum()
    return (kd_cls + kd_box) / max(1, npos)


# ---------------------------------------------------------------- evaluation (same rules as Java Metrics)

def decode(out, conf, iou, max_det=300):
    xywh, scores = out[:4].T, out[4:].T
    s, k = scores.max(1)
    keep = s >= conf
    xywh, s, k = xywh[keep], s[keep], k[keep]
    if s.numel() > 3 * max_det:  # NMS in Python is quadratic: keep the best candidates only
        top = s.topk(3 * max_det).indices
        xywh, s, k = xywh[top], s[top], k[top]
    boxes = torch.stack([xywh[:, 0] - xywh[:, 2] / 2, xywh[:, 1] - xywh[:, 3] / 2,
                         xywh[:, 0] + xywh[:, 2] / 2, xywh[:, 1] + xywh[:, 3] / 2], 1)
    order = s.argsort(descending=True)
    kept = []
    for j in order.tolist():
        if all(k[j] != k[m] or box_iou(boxes[j], boxes[m]) <= iou for m in kept):
            kept.append(j)
        if len(kept) >= max_det:
            break
    return [(int(k[j]), float(s[j]), boxes[j].tolist()) for j in kept]


def box_iou(a, b):
    iw = (min(a[2], b[2]) - max(a[0], b[0])).clamp(0) if torch.is_tensor(a) else max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = (min(a[3], b[3]) - max(a[1], b[1])).clamp(0) if torch.is_tensor(a) else max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = float(iw * ih)
    ua = float((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])) - inter
    return inter / ua if ua > 0 else 0.0


def ap_all_point(tp, n):
    if n == 0:
        return float("nan")
    rec, pre, c = [0.0], [1.0], 0
    for i, t in enumerate(tp):
        c += t
        rec.append(c / n)
        pre.append(c / (i + 1))
    rec.append(1.0)
    pre.append(0.0)
    for i in range(len(pre) - 2, -1, -1):
        pre[i] = max(pre[i], pre[i + 1])
    return sum((rec[i + 1] - rec[i]) * pre[i + 1] for i in range(len(rec) - 1))


def evaluate(export, samples, size, nc, iou_nms):
    ious = [0.5 + 0.05 * i for i in range(10)]
    preds = [[] for _ in range(nc)]
    counts = [0] * nc
    export.eval()
    with torch.no_grad():
        for path, labels, ignore in samples:
            x, geom = letterbox(path, size, False, None, False)
            gt = to_pixels(labels, geom, size).tolist()
            ign = to_pixels(ignore, geom, size).tolist()
            for g in gt:
                counts[int(g[0])] += 1
            dets = decode(export(x[None])[0], 0.001, iou_nms, 100)
            used = [[False] * len(gt) for _ in ious]
            for k, s, b in dets:
                flags = []
                for ti, thr in enumerate(ious):
                    best, bi = -1, thr
                    for gi, g in enumerate(gt):
                        if int(g[0]) == k and not used[ti][gi]:
                            v = box_iou(b, g[1:])
                            if v >= bi:
                                best, bi = gi, v
                    if best >= 0:
                        used[ti][best] = True
                        flags.append(True)
                    elif any(int(g[0]) == k and box_iou(b, g[1:]) >= thr for g in ign):
                        flags.append(None)  # on an ignore region of its class: left out at this IoU
                    else:
                        flags.append(False)
                preds[k].append((s, flags))
    per = []
    for c in range(nc):
        p = sorted(preds[c], key=lambda z: -z[0])
        aps = [ap_all_point([f[ti] for _, f in p if f[ti] is not None], counts[c]) for ti in range(10)]
        per.append({"labels": counts[c], "ap50": aps[0], "ap50_95": sum(aps) / 10 if counts[c] else float("nan")})
    valid = [q for q in per if q["labels"] > 0]
    m50 = sum(q["ap50"] for q in valid) / len(valid) if valid else float("nan")
    m5095 = sum(q["ap50_95"] for q in valid) / len(valid) if valid else float("nan")
    return m50, m5095, per


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--imgsz", type=int, default=320, help="input width (and height unless --imgh)")
    ap.add_argument("--imgh", type=int, default=None, help="input height, default --imgsz")
    ap.add_argument("--width", type=int, default=16, help="network width (channels of the first stage)")
    ap.add_argument("--eval-every", type=int, default=None, help="validate every N epochs (default epochs/10) "
                    "and always after the last; the best validated weights are exported")
    ap.add_argument("--no-context", action="store_true", help="leave out the stride-16 context branch")
    ap.add_argument("--stride", type=int, choices=(4, 8), default=8,
                    help="output stride of the head: 4 for hair-thin objects (strings, fibres), 8 is cheaper")
    ap.add_argument("--val-max", type=int, default=400, help="validate on at most this many images")
    ap.add_argument("--val-data", default=None, help="validate on this YOLO folder (its images/val, else all its "
                    "images) instead of DATASET's validation split: a held-out set drawn like the one the model will "
                    "be judged on, so the best epoch is chosen as it will be judged. Same class names")
    ap.add_argument("--no-cache", action="store_true", help="do not keep decoded images in memory")
    ap.add_argument("--crop", default=None, help="train on WxH crops (e.g. 160x128) centred near objects: "
                    "several times cheaper per step when objects are small; validation and export stay full size")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--val-fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--name", default=None)
    ap.add_argument("--smoke", action="store_true", help="~1 minute on a handful of images, for CI")
    ap.add_argument("--neg-weight", default=None, help="CLASS=W[,CLASS=W...]: a false score of that class costs W "
                    "times more (e.g. feather=3 when the model sees feathers in tufts of cotton)")
    ap.add_argument("--pos-weight", default=None, help="CLASS=W[,CLASS=W...]: a missed score of that class costs W "
                    "times more (a class the model overlooks)")
    ap.add_argument("--blocks", type=int, default=0, help="residual blocks added at each scale (0-3): a deeper "
                    "network, ~+70 %% compute per block; with --init from a model with fewer, the new blocks start as "
                    "identities so the fine-tuning starts from that model's output")
    ap.add_argument("--teacher", default=None, help="a model.pt this script wrote (same classes and stride, any width "
                    "or depth) whose outputs the model also learns to match (distillation): a narrower model keeps more "
                    "of a wider one's accuracy")
    ap.add_argument("--distill", type=float, default=1.0, help="weight of matching the --teacher against the labels' "
                    "loss (default 1)")
    ap.add_argument("--init", default=None, help="start from the weights of a model.pt this script wrote "
                    "(same classes, width, stride and context, at most --blocks blocks): fine-tune a shipped model. "
                    "A wider model (otherwise the same, same --blocks) is narrowed to --width, keeping each layer's "
                    "strongest channels: a faster model from a trained one")
    a = ap.parse_args()
    a.imgh = a.imgh or a.imgsz
    global STRIDE
    STRIDE = a.stride
    if not 0 <= a.blocks <= 3:
        sys.exit("--blocks must be 0 to 3")
    if a.distill <= 0:
        sys.exit("--distill must be above 0")
    if a.imgsz % 32 or a.imgh % 32:
        sys.exit("--imgsz and --imgh must be multiples of 32")

    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(a.seed)

    names = read_names(a.data)
    nc = len(names)
    if os.path.isdir(os.path.join(a.data, "images", "train")) and os.path.isdir(os.path.join(a.data, "images", "val")):
        train, val = list_samples(a.data, "train"), list_samples(a.data, "val")
        rng.shuffle(val)
        how = "the dataset's train/val folders"
    else:
        samples = list_samples(a.data)
        rng.shuffle(samples)
        nval = max(1, int(len(samples) * a.val_fraction))
        val, train = samples[:nval], samples[nval:] or samples
        how = f"split by --val-fraction {a.val_fraction} and seed {a.seed}"
    if a.val_data:
        if not os.path.isfile(os.path.join(a.val_data, "data.yaml")):
            sys.exit(f"--val-data {a.val_data} is not a YOLO folder (no data.yaml)")
        if read_names(a.val_data) != names:
            sys.exit(f"--val-data {a.val_data} has classes {read_names(a.val_data)}, {a.data} has {names}")
        has_val = os.path.isdir(os.path.join(a.val_data, "images", "val"))
        val = list_samples(a.val_data, "val" if has_val else None)
        if not val:
            sys.exit(f"--val-data {a.val_data} has no images")
        rng.shuffle(val)
        how += f"; validated on {a.val_data}{' (images/val)' if has_val else ''} instead"
    val = val[:a.val_max]
    if not train:
        sys.exit(f"{a.data} has no training images (images/train is empty; a held-out test set cannot be trained on)")
    if a.smoke:
        train, val, a.epochs, a.imgsz, a.imgh = train[:8], val[:4], 3, min(a.imgsz, 160), min(a.imgh, 160)
    size = (a.imgsz, a.imgh)
    crop_size = None
    if a.crop and not a.smoke:
        crop_size = tuple(int(v) for v in a.crop.lower().split("x"))
        if len(crop_size) != 2 or crop_size[0] % STRIDE or crop_size[1] % STRIDE or crop_size[0] > a.imgsz \
                or crop_size[1] > a.imgh:
            sys.exit("--crop must be WxH, multiples of 8, within the input size")
    print(f"data {a.data}: {nc} classes {names}, {len(train)} train / {len(val)} validation images ({how}); "
          f"input {a.imgsz}x{a.imgh}", flush=True)

    neg_weight = class_weights("--neg-weight", a.neg_weight, names, a.data)
    pos_weight = class_weights("--pos-weight", a.pos_weight, names, a.data)
    net = TinyDet(nc, a.width, not a.no_context, a.stride, a.blocks)
    if a.init:
        ckpt = torch.load(a.init, map_location="cpu")
        want = {"classes": [token(n) for n in names], "width": a.width, "stride": a.stride, "context": not a.no_context}
        got = {k: ckpt.get(k) for k in want}
        wider = got["width"] is not None and got["width"] > a.width
        if wider and {**got, "width": a.width} == want and ckpt.get("blocks", 0) == a.blocks:
            ckpt = {**ckpt, "state_dict": narrow(ckpt["state_dict"], net), "width": a.width}
            print(f"narrowing {a.init} from width {got['width']} to {a.width}: each layer keeps its strongest "
                  f"channels", flush=True)
        elif got != want:
            sys.exit(f"--init {a.init} does not fit: it has {got}, this run needs {want} (a wider model is "
                     f"narrowed to --width when only the width differs and --blocks is the same)")
        had = ckpt.get("blocks", 0)
        if had > a.blocks:
            sys.exit(f"--init {a.init} has {had} residual blocks per scale, more than --blocks {a.blocks}")
        # Only the blocks the checkpoint lacks may be missing: anything else means another architecture.
        expected = {k for k in set(net.state_dict()) - set(TinyDet(nc, a.width, not a.no_context, a.stride,
                                                                       had).state_dict())
                    if not k.endswith("num_batches_tracked")}  # torch never reports these missing
        missing, unexpected = net.load_state_dict(ckpt["state_dict"], strict=False)
        if unexpected or set(missing) != expected:
            sys.exit(f"--init {a.init} does not fit: missing {sorted(set(missing) - expected)}, "
                     f"unexpected {unexpected}")
        print(f"starting from {a.init} ({ckpt.get('epochs')} epochs on {ckpt.get('data')}, {had} blocks"
              f"{f'; {a.blocks - had} new blocks per scale start as identities' if a.blocks > had else ''})",
              flush=True)
    teacher = None
    if a.teacher:
        tk = torch.load(a.teacher, map_location="cpu")
        if tk.get("classes") != [token(n) for n in names] or tk.get("stride") != a.stride:
            sys.exit(f"--teacher {a.teacher} does not fit: it has classes {tk.get('classes')} and stride "
                     f"{tk.get('stride')}, this run needs {[token(n) for n in names]} and {a.stride}")
        teacher = TinyDet(nc, tk["width"], tk["context"], tk["stride"], tk.get("blocks", 0))
        teacher.load_state_dict(tk["state_dict"])
        teacher.eval()
        for q in teacher.parameters():
            q.requires_grad_(False)
        print(f"distilling from {a.teacher} (width {tk['width']}, {tk.get('blocks', 0)} blocks), weight {a.distill}",
              flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=5e-4)
    steps = a.epochs * math.ceil(len(train) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=max(1, steps))
    export = Export(net, size)
    start = time.time()
    best = (-1.0, None)
    m50 = m5095 = float("nan")
    per = []
    for epoch in range(1, a.epochs + 1):
        net.train()
        order = list(range(len(train)))
        rng.shuffle(order)
        losses = []
        epoch_start = last_note = time.time()
        for b0 in range(0, len(order), a.batch):
            if time.time() - last_note >= 60:  # an epoch on a large set takes minutes: say where it is
                last_note = time.time()
                done = b0 / len(order)
                print(f"  epoch {epoch}/{a.epochs}: {b0}/{len(order)} images, loss {sum(losses) / len(losses):.4f}, "
                      f"~{(last_note - epoch_start) / done * (1 - done):.0f}s left in this epoch", flush=True)
            xs, ts = [], []
            for j in order[b0:b0 + a.batch]:
                x, geom = letterbox(train[j][0], size, True, rng, not a.no_cache)
                boxes = to_pixels(train[j][1], geom, size)
                ignore = to_pixels(train[j][2], geom, size)
                if crop_size:
                    x, boxes, ignore = crop(x, boxes, size, crop_size, rng, ignore)
                xs.append(x)
                ts.append(targets(boxes, crop_size or size, nc, ignore))
            batch = torch.stack(xs)
            cls, box = net(batch)
            loss = loss_fn(cls, box, ts, crop_size or size, neg_weight, pos_weight)
            if teacher is not None:
                with torch.no_grad():
                    teacher_cls, teacher_box = teacher(batch)
                loss = loss + a.distill * distill_loss(cls, box, teacher_cls, teacher_box,
                                                       sum(int(t[2].sum()) for t in ts))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(float(loss))
        if epoch == a.epochs or epoch % (a.eval_every or max(1, a.epochs // 10)) == 0:
            m50, m5095, per = evaluate(export, val, size, nc, 0.45)
            if not math.isnan(m50) and m50 > best[0]:
                best = (m50, {k: v.clone() for k, v in net.state_dict().items()})
        elapsed = time.time() - start
        left = elapsed / epoch * (a.epochs - epoch)
        print(f"epoch {epoch}/{a.epochs}  loss {sum(losses) / len(losses):.4f}  val mAP50 {m50:.3f}  "
              f"mAP50-95 {m5095:.3f}  elapsed {elapsed:.0f}s  left ~{left:.0f}s", flush=True)
    if best[1] is not None:
        net.load_state_dict(best[1])
        m50, m5095, per = evaluate(export, val, size, nc, 0.45)

    os.makedirs(a.out, exist_ok=True)
    export.eval()
    onnx_path = os.path.join(a.out, "model.onnx")
    torch.onnx.export(export, torch.zeros(1, 3, a.imgh, a.imgsz), onnx_path, opset_version=17,
                      input_names=["images"], output_names=["output0"])
    tokens = [token(n) for n in names]
    card = {
        "name": a.name or token(os.path.basename(os.path.normpath(a.out))) or "model",
        "version": time.strftime("%Y.%m.%d"),
        "task": "detect",
        "description": f"TinyDet trained from scratch on {os.path.basename(os.path.normpath(a.data))} "
                       f"({len(train)} train images, seed {a.seed}, {a.epochs} epochs)",
        "input": {"width": a.imgsz, "height": a.imgh, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": True, "padValue": 114, "resize": "bilinear"},
        "classes": tokens, "confidence": 0.25, "nmsIou": 0.45, "decoder": "yolo", "maxDetections": 100,
    }
    import hashlib
    card["sha256"] = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    # The weights themselves, so a shipped model can be fine-tuned later (--init) instead of trained again.
    torch.save({"state_dict": net.state_dict(), "classes": tokens, "width": a.width, "stride": a.stride,
                "context": not a.no_context, "blocks": a.blocks, "epochs": a.epochs, "data": os.path.basename(os.path.normpath(a.data))},
               os.path.join(a.out, "model.pt"))
    clean = lambda v: None if isinstance(v, float) and math.isnan(v) else v
    metrics = {
        "map50": clean(m50), "map50_95": clean(m5095),
        "per_class": {tokens[i]: {k: clean(v) for k, v in per[i].items()} for i in range(nc)} if per else {},
        "validation_images": len(val), "validation_data": a.val_data or a.data, "train_images": len(train), "epochs": a.epochs, "seed": a.seed,
        "imgsz": [a.imgsz, a.imgh], "width": a.width, "stride": a.stride, "context": not a.no_context, "blocks": a.blocks, "crop": list(crop_size) if crop_size else None,
        "batch": a.batch, "lr": a.lr, "neg_weight": a.neg_weight, "pos_weight": a.pos_weight,
        "teacher": a.teacher, "distill": a.distill if a.teacher else None, "smoke": a.smoke, "seconds": round(time.time() - start, 1),
        "note": "python-side validation; re-measure with `winnow-agent eval` (the Java production path)",
    }
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), model.json, metrics.json, model.pt")
    print(json.dumps({"map50": clean(m50), "map50_95": clean(m5095)}))


if __name__ == "__main__":
    main()
