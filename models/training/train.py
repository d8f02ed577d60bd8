#!/usr/bin/python3
"""Train a tiny anchor-free detector from scratch on a YOLO-format folder and export it for Winnow.

    sudo apt-get install -y python3-torch python3-onnx python3-pil python3-numpy
    /usr/bin/python3 models/training/train.py --data DATASET --out OUTDIR [--epochs 60] [--imgsz 320] [--seed 0]
    /usr/bin/python3 models/training/train.py --data DATASET --out OUTDIR --smoke      # ~1 minute, for CI

DATASET is the YOLO format (data.yaml with names, images/, labels/*.txt `cls cx cy w h` normalised) as
exported by `winnow-agent export-dataset`, Ultralytics, Roboflow, CVAT or Label Studio.

OUTDIR receives model.onnx (opset 17, Ultralytics output layout [1, 4+nc, N]: cx, cy, w, h in input pixels,
then sigmoid class scores), model.json (the card the Java side loads strictly) and metrics.json.

The network: three stride-2 conv stages to stride 8, then a head that predicts per grid cell the class
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
import torch
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


def list_samples(root):
    images = []
    for d, _, files in os.walk(os.path.join(root, "images")):
        images += [os.path.join(d, f) for f in files if f.lower().endswith(IMAGE_EXT)]
    images.sort()
    samples = []
    for img in images:
        rel = os.path.relpath(img, os.path.join(root, "images"))
        label = os.path.join(root, "labels", os.path.splitext(rel)[0] + ".txt")
        boxes = []
        if os.path.exists(label):
            for line in open(label):
                v = line.split()
                if len(v) == 5:
                    boxes.append([float(x) for x in v])
                elif len(v) > 5:  # polygon → bounding box
                    xs, ys = [float(x) for x in v[1::2]], [float(y) for y in v[2::2]]
                    boxes.append([float(v[0]), (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2,
                                  max(xs) - min(xs), max(ys) - min(ys)])
        samples.append((img, np.array(boxes, np.float32).reshape(-1, 5)))
    return samples


def letterbox(path, size, augment, rng):
    """Image → (CHW float tensor in 0..1 RGB, boxes in input pixels as cls,x1,y1,x2,y2 for normalised labels)."""
    from PIL import Image
    im = Image.open(path).convert("RGB")
    w, h = im.size
    r = min(size / w, size / h)
    nw, nh = max(1, round(w * r)), max(1, round(h * r))
    im = im.resize((nw, nh), Image.BILINEAR)
    canvas = np.full((size, size, 3), 114, np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    canvas[py:py + nh, px:px + nw] = np.asarray(im)
    x = canvas.astype(np.float32) / 255.0
    flip = augment and rng.random() < 0.5
    if augment:  # brightness / contrast jitter so the model does not learn one lighting
        x = np.clip((x - 0.5) * rng.uniform(0.8, 1.2) + 0.5 + rng.uniform(-0.1, 0.1), 0, 1)
    if flip:
        x = x[:, ::-1]
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))), (r, px, py, nw, nh, flip)


def to_pixels(labels, geom, size):
    r, px, py, nw, nh, flip = geom
    out = []
    for c, cx, cy, bw, bh in labels:
        x1, x2 = px + (cx - bw / 2) * nw, px + (cx + bw / 2) * nw
        y1, y2 = py + (cy - bh / 2) * nh, py + (cy + bh / 2) * nh
        if flip:
            x1, x2 = size - x2, size - x1
        out.append([c, x1, y1, x2, y2])
    return torch.tensor(out, dtype=torch.float32).reshape(-1, 5)


# ---------------------------------------------------------------- model

def conv(cin, cout, s):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.SiLU())


class TinyDet(nn.Module):
    def __init__(self, nc, width=24):
        super().__init__()
        w = width
        self.nc = nc
        self.body = nn.Sequential(conv(3, w, 2), conv(w, w, 1), conv(w, 2 * w, 2), conv(2 * w, 2 * w, 1),
                                  conv(2 * w, 4 * w, 2), conv(4 * w, 4 * w, 1), conv(4 * w, 4 * w, 1))
        self.cls = nn.Conv2d(4 * w, nc, 1)
        self.box = nn.Conv2d(4 * w, 4, 1)
        nn.init.constant_(self.cls.bias, -4.0)  # rare positives: start from low scores

    def forward(self, x):
        f = self.body(x)
        return self.cls(f), self.box(f)  # [B,nc,H,W] logits, [B,4,H,W] log-distances


class Export(nn.Module):
    """Ultralytics layout: [1, 4+nc, N] with cx, cy, w, h in input pixels and sigmoid scores."""

    def __init__(self, net, size):
        super().__init__()
        self.net = net
        g = size // STRIDE
        ys, xs = torch.meshgrid(torch.arange(g), torch.arange(g), indexing="ij")
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

def targets(boxes, g, nc):
    """Centre sampling: cells whose centre lies inside the box and within 1.5 cells of its centre."""
    cls_t = torch.zeros(nc, g * g)
    box_t = torch.zeros(4, g * g)
    area_t = torch.full((g * g,), float("inf"))
    c = (torch.arange(g).float() + 0.5) * STRIDE
    cy, cx = torch.meshgrid(c, c, indexing="ij")
    cx, cy = cx.reshape(-1), cy.reshape(-1)
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
    return cls_t, box_t, area_t < float("inf")


def giou(a, b):
    ix1, iy1 = torch.max(a[0], b[0]), torch.max(a[1], b[1])
    ix2, iy2 = torch.min(a[2], b[2]), torch.min(a[3], b[3])
    inter = (ix2 - ix1).clamp(0) * (iy2 - iy1).clamp(0)
    area = lambda z: (z[2] - z[0]).clamp(0) * (z[3] - z[1]).clamp(0)
    union = area(a) + area(b) - inter + 1e-7
    cw = torch.max(a[2], b[2]) - torch.min(a[0], b[0])
    ch = torch.max(a[3], b[3]) - torch.min(a[1], b[1])
    return inter / union - (cw * ch - union) / (cw * ch + 1e-7)


def loss_fn(cls, box, batch_targets, size):
    g = size // STRIDE
    c = (torch.arange(g).float() + 0.5) * STRIDE
    cy, cx = torch.meshgrid(c, c, indexing="ij")
    cx, cy = cx.reshape(-1), cy.reshape(-1)
    total_cls, total_box, npos = 0.0, 0.0, 0
    for i, (cls_t, box_t, pos) in enumerate(batch_targets):
        logits = cls[i].reshape(cls.shape[1], -1)
        total_cls = total_cls + F.binary_cross_entropy_with_logits(logits, cls_t, reduction="sum")
        if pos.any():
            d = box[i].reshape(4, -1)[:, pos].clamp(max=8).exp() * STRIDE
            p = torch.stack([cx[pos] - d[0], cy[pos] - d[1], cx[pos] + d[2], cy[pos] + d[3]])
            t = box_t[:, pos]
            total_box = total_box + (1 - giou(p, t)).sum() + 0.02 * F.l1_loss(p, t, reduction="sum") / STRIDE
            npos += int(pos.sum())
    n = max(1, npos)
    return (total_cls + 5 * total_box) / n


# ---------------------------------------------------------------- evaluation (same rules as Java Metrics)

def decode(out, conf, iou, max_det=300):
    xywh, scores = out[:4].T, out[4:].T
    s, k = scores.max(1)
    keep = s >= conf
    xywh, s, k = xywh[keep], s[keep], k[keep]
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
        for path, labels in samples:
            x, geom = letterbox(path, size, False, None)
            gt = to_pixels(labels, geom, size).tolist()
            for g in gt:
                counts[int(g[0])] += 1
            dets = decode(export(x[None])[0], 0.001, iou_nms)
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
                    flags.append(best >= 0)
                preds[k].append((s, flags))
    per = []
    for c in range(nc):
        p = sorted(preds[c], key=lambda z: -z[0])
        aps = [ap_all_point([f[ti] for _, f in p], counts[c]) for ti in range(10)]
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
    ap.add_argument("--imgsz", type=int, default=320)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--val-fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--name", default=None)
    ap.add_argument("--smoke", action="store_true", help="~1 minute on a handful of images, for CI")
    a = ap.parse_args()
    if a.imgsz % (STRIDE * 4):
        sys.exit("--imgsz must be a multiple of 32")

    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(a.seed)

    names = read_names(a.data)
    nc = len(names)
    samples = list_samples(a.data)
    rng.shuffle(samples)
    nval = max(1, int(len(samples) * a.val_fraction))
    val, train = samples[:nval], samples[nval:] or samples
    if a.smoke:
        train, val, a.epochs, a.imgsz = train[:8], val[:4], 3, min(a.imgsz, 160)
    print(f"data {a.data}: {nc} classes {names}, {len(train)} train / {len(val)} validation images "
          f"(split by seed {a.seed})", flush=True)

    net = TinyDet(nc)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=5e-4)
    steps = a.epochs * math.ceil(len(train) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=max(1, steps))
    export = Export(net, a.imgsz)
    g = a.imgsz // STRIDE
    start = time.time()
    best = (-1.0, None)
    m50 = m5095 = float("nan")
    per = []
    for epoch in range(1, a.epochs + 1):
        net.train()
        order = list(range(len(train)))
        rng.shuffle(order)
        losses = []
        for b0 in range(0, len(order), a.batch):
            xs, ts = [], []
            for j in order[b0:b0 + a.batch]:
                x, geom = letterbox(train[j][0], a.imgsz, True, rng)
                xs.append(x)
                ts.append(targets(to_pixels(train[j][1], geom, a.imgsz), g, nc))
            cls, box = net(torch.stack(xs))
            loss = loss_fn(cls, box, ts, a.imgsz)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(float(loss))
        if epoch == a.epochs or epoch % max(1, a.epochs // 10) == 0:
            m50, m5095, per = evaluate(export, val, a.imgsz, nc, 0.45)
            if not math.isnan(m50) and m50 > best[0]:
                best = (m50, {k: v.clone() for k, v in net.state_dict().items()})
        elapsed = time.time() - start
        left = elapsed / epoch * (a.epochs - epoch)
        print(f"epoch {epoch}/{a.epochs}  loss {sum(losses) / len(losses):.4f}  val mAP50 {m50:.3f}  "
              f"mAP50-95 {m5095:.3f}  elapsed {elapsed:.0f}s  left ~{left:.0f}s", flush=True)
    if best[1] is not None:
        net.load_state_dict(best[1])
        m50, m5095, per = evaluate(export, val, a.imgsz, nc, 0.45)

    os.makedirs(a.out, exist_ok=True)
    export.eval()
    onnx_path = os.path.join(a.out, "model.onnx")
    torch.onnx.export(export, torch.zeros(1, 3, a.imgsz, a.imgsz), onnx_path, opset_version=17,
                      input_names=["images"], output_names=["output0"])
    tokens = [token(n) for n in names]
    card = {
        "name": a.name or token(os.path.basename(os.path.normpath(a.out))) or "model",
        "version": time.strftime("%Y.%m.%d"),
        "task": "detect",
        "description": f"TinyDet trained from scratch on {os.path.basename(os.path.normpath(a.data))} "
                       f"({len(train)} train images, seed {a.seed}, {a.epochs} epochs)",
        "input": {"width": a.imgsz, "height": a.imgsz, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": True, "padValue": 114, "resize": "bilinear"},
        "classes": tokens, "confidence": 0.25, "nmsIou": 0.45, "decoder": "yolo", "maxDetections": 100,
    }
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    clean = lambda v: None if isinstance(v, float) and math.isnan(v) else v
    metrics = {
        "map50": clean(m50), "map50_95": clean(m5095),
        "per_class": {tokens[i]: {k: clean(v) for k, v in per[i].items()} for i in range(nc)} if per else {},
        "validation_images": len(val), "train_images": len(train), "epochs": a.epochs, "seed": a.seed,
        "imgsz": a.imgsz, "smoke": a.smoke, "seconds": round(time.time() - start, 1),
        "note": "python-side validation; re-measure with `winnow-agent eval` (the Java production path)",
    }
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), model.json, metrics.json")
    print(json.dumps({"map50": clean(m50), "map50_95": clean(m5095)}))


if __name__ == "__main__":
    main()
