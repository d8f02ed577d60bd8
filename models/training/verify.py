#!/usr/bin/python3
"""Train a verifier: a second, small model that takes a second look at each object of one class a detector finds.

    /usr/bin/python3 models/training/verify.py --detector models/cotton-colour --cls feather \\
        --data DATASET [DATASET ...] [--epochs 20] [--attach]
    /usr/bin/python3 models/training/verify.py --detector DIR --cls CLASS --data DATASET --smoke   # for CI

Why: a detector looks at the whole frame at once, and a class that resembles the background (a pale feather on a
tuft of cotton) is where it is least sure. A verifier looks only at a small cut around each object the detector
names, and is trained on exactly the detector's own mistakes: the objects it names on clean background (negatives)
against the real objects of that class (positives). The agent then scores each such object with the geometric mean
of both models, sqrt(detector * verifier): one both are sure of stays near 1, one either doubts falls.

Steps, each with progress:
1. mine: run the detector (DETECTOR/model.pt, as train.py writes it) over every image of the DATASETs (YOLO format,
   e.g. `winnow-agent export-dataset`) and keep a cut of --cut x --cut pixels (the camera's own scale, as on the
   line) around every detection of --cls scoring >= --min-score, and around every labelled object of --cls.
   A detection on a labelled object of --cls is a positive; one on clean background a negative; one touching an
   object of another class or an ignore region is left out (firing at it would not be wrong).
2. train: a ~0.14 M-parameter CNN, flips, shifts and lighting jitter; negatives weigh --neg-weight (they are rare).
   Validation: the images of the last --val DATASETs when several are given (other seeds than the training's),
   else --val-fraction of the images.
3. export: OUT/model.onnx ([1,3,cut,cut] RGB 0..1 -> [1,1] score), OUT/model.json (a one-class classify card),
   OUT/metrics.json: on the validation detections, the detector's, the verifier's and both's ROC AUC, and how many
   real objects each keeps at the false-alarm counts of the detector's thresholds.
OUT defaults to DETECTOR/CLASS-verifier. --attach writes `decision.verify: {CLASS: FOLDER}` into the detector's
card, so the agent, `winnow-agent eval` and the control server's validation use it.
"""
import argparse
import hashlib
import json
import os
import random
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train.py
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T  # noqa: E402


def conv(cin, cout, s):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.SiLU())


class Verifier(nn.Module):
    """Seven 3x3 convs to stride 8, then mean and max pooling (a pale shaft is small: the max keeps it)."""

    def __init__(self, w=16):
        super().__init__()
        self.f = nn.Sequential(conv(3, w, 1), conv(w, 2 * w, 2), conv(2 * w, 2 * w, 1), conv(2 * w, 4 * w, 2),
                               conv(4 * w, 4 * w, 1), conv(4 * w, 4 * w, 2), conv(4 * w, 4 * w, 1))
        self.h = nn.Linear(8 * w, 1)

    def forward(self, x):
        f = self.f(x)
        return self.h(torch.cat([f.mean((2, 3)), f.amax((2, 3))], 1))[:, 0]


class Export(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x))[:, None]


def load_detector(folder):
    path = os.path.join(folder, "model.pt")
    if not os.path.isfile(path):
        sys.exit(f"--detector {folder}: no model.pt (the weights train.py writes beside model.onnx)")
    ck = torch.load(path, map_location="cpu")
    net = T.TinyDet(len(ck["classes"]), ck["width"], ck.get("context", True), ck["stride"], ck.get("blocks", 0))
    net.load_state_dict(ck["state_dict"])
    net.eval()
    card = json.load(open(os.path.join(folder, "model.json")))
    T.STRIDE = ck["stride"]
    return T.Export(net, (card["input"]["width"], card["input"]["height"])).eval(), ck["classes"], card


def near(p, g):
    """A detection p is on labelled object g: its centre inside g (grown by 3 px) or IoU >= 0.2."""
    cx, cy = (p[0] + p[2]) / 2, (p[1] + p[3]) / 2
    return (g[0] - 3 <= cx <= g[2] + 3 and g[1] - 3 <= cy <= g[3] + 3) or T.box_iou(p, g) >= 0.2


def mine(export, classes, card, folders, cls, cut, min_score, limit):
    """Cuts and rows (folder, label, detector score): label 1 positive detection, 0 negative detection,
    3 a labelled object (its cut centred on the label, score = the best detection on it, 0 if none)."""
    size = (card["input"]["width"], card["input"]["height"])
    k = classes.index(cls)
    half = cut // 2
    cuts, rows = [], []
    samples = [(fi, s) for fi, f in enumerate(folders) for s in T.list_samples(f)[:limit]]
    start = time.time()
    for n, (fi, (img, labels, ignore)) in enumerate(samples):
        canvas, (r, px, py, nw, nh) = T.load_canvas(img, size, False)
        x = torch.from_numpy(canvas.astype(np.float32).transpose(2, 0, 1) / 255.0)[None]
        with torch.no_grad():
            preds = T.decode(export(x)[0], min_score, card.get("nmsIou", 0.45))

        def pixels(rs):
            return [(int(c), px + (cx - w / 2) * nw, py + (cy - h / 2) * nh, px + (cx + w / 2) * nw,
                     py + (cy + h / 2) * nh) for c, cx, cy, w, h in rs]
        gt, ig = pixels(labels), pixels(ignore)
        pad = np.pad(canvas, ((half, half), (half, half), (0, 0)), constant_values=card["input"].get("padValue", 114))

        def take(b):
            # The same centre as the Java Detector: round of the box centre, in frame pixels.
            cx = min(max(int(np.floor((b[0] + b[2]) / 2 + 0.5)), 0), size[0] - 1)
            cy = min(max(int(np.floor((b[1] + b[3]) / 2 + 0.5)), 0), size[1] - 1)
            return pad[cy:cy + cut, cx:cx + cut]
        for c, *g in gt:
            if c == k:
                best = max([s for j, s, b in preds if j == k and near(b, g)], default=0.0)
                cuts.append(take(g))
                rows.append((fi, 3, best))
        for j, s, b in preds:
            if j != k:
                continue
            if any(c == k and near(b, g) for c, *g in gt):
                label = 1
            elif any(T.box_iou(b, g) > 0.05 or near(b, g) for c, *g in gt + ig):
                label = 2
            else:
                label = 0
            cuts.append(take(b))
            rows.append((fi, label, s))
        if (n + 1) % 500 == 0 or n + 1 == len(samples):
            el = time.time() - start
            print(f"mining {n + 1}/{len(samples)} images  {sum(r[1] == 1 for r in rows)} {cls} found, "
                  f"{sum(r[1] == 0 for r in rows)} false, {sum(r[1] == 3 for r in rows)} labelled  "
                  f"elapsed {el:.0f}s  left ~{el / (n + 1) * (len(samples) - n - 1):.0f}s", flush=True)
    return np.stack(cuts) if cuts else np.zeros((0, cut, cut, 3), np.uint8), np.array(rows, np.float32).reshape(-1, 3)


def augment(x):
    if random.random() < 0.5:
        x = x.flip(3)
    if random.random() < 0.5:
        x = x.flip(2)
    x = x.roll((random.randint(-3, 3), random.randint(-3, 3)), (2, 3))
    n = x.shape[0]
    gain = torch.empty(n, 3, 1, 1).uniform_(0.92, 1.08)
    contrast = torch.empty(n, 1, 1, 1).uniform_(0.8, 1.2)
    shift = torch.empty(n, 1, 1, 1).uniform_(-0.08, 0.08)
    return (((x - 0.5) * contrast + 0.5 + shift) * gain).clamp(0, 1)


def auc(pos, neg):
    """Probability that a random positive outscores a random negative (ties count half)."""
    if len(pos) == 0 or len(neg) == 0:
        return None
    pos, neg = np.asarray(pos, np.float64), np.asarray(neg, np.float64)
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    allv = np.concatenate([pos, neg])[order]
    i = 0
    while i < len(allv):  # average ranks of ties
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--detector", required=True, help="the detector's model folder (model.pt, model.json)")
    ap.add_argument("--cls", required=True, help="the class to verify, e.g. feather")
    ap.add_argument("--data", required=True, nargs="+", help="YOLO-format folders; the last --val of them validate")
    ap.add_argument("--val", type=int, default=1, help="how many of the last --data folders validate (default 1)")
    ap.add_argument("--out", default=None, help="default DETECTOR/CLASS-verifier")
    ap.add_argument("--cut", type=int, default=40, help="cut size in frame pixels (default 40)")
    ap.add_argument("--min-score", type=float, default=0.1, help="detections mined from this score (default 0.1)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--width", type=int, default=16, help="channels of the first layer (default 16: ~0.14 M parameters)")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--neg-weight", type=float, default=8.0, help="a negative's weight in the loss (default 8)")
    ap.add_argument("--val-fraction", type=float, default=0.2, help="with one DATASET: images kept to validate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attach", action="store_true", help="write decision.verify into the detector's card")
    ap.add_argument("--smoke", action="store_true", help="a few images and 2 epochs, for CI")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    export, classes, card = load_detector(a.detector)
    if a.cls not in classes:
        sys.exit(f"--cls {a.cls} is not a class of {a.detector}: {classes}")
    if a.width < 4 or a.width > 64:
        sys.exit(f"--width {a.width}: must be from 4 to 64")
    if a.cut < 8 or a.cut > 256 or a.cut % 8:
        sys.exit(f"--cut {a.cut}: must be a multiple of 8 from 8 to 256")
    for d in a.data:
        if not os.path.isdir(os.path.join(d, "images")):
            sys.exit(f"--data {d}: no images/ folder (YOLO format expected)")
    folder = f"{a.cls.replace('_', '-')}-verifier"
    out = a.out or os.path.join(a.detector, folder)
    if a.attach and os.path.dirname(os.path.abspath(out)) != os.path.abspath(a.detector):
        sys.exit("--attach needs --out to be a folder directly inside --detector (the card names it by folder)")
    epochs = 2 if a.smoke else a.epochs
    start = time.time()
    cuts, rows = mine(export, classes, card, a.data, a.cls, a.cut, a.min_score, 12 if a.smoke else None)
    if len(a.data) > a.val >= 1:
        val = rows[:, 0] >= len(a.data) - a.val
    else:
        val = np.random.RandomState(a.seed).random_sample(len(rows)) < a.val_fraction
    y = np.isin(rows[:, 1], (1, 3)).astype(np.float32)
    train_idx = np.where(~val & (rows[:, 1] != 2))[0]
    if len(train_idx) == 0 or y[train_idx].min() == y[train_idx].max():
        if not a.smoke:
            sys.exit(f"mined {int(y[train_idx].sum())} positives and {int((1 - y[train_idx]).sum())} negatives to "
                     f"train on: both are needed (more images, or a lower --min-score)")
    print(f"training on {int(y[train_idx].sum())} {a.cls} cuts and {int((1 - y[train_idx]).sum())} false ones, "
          f"validating on {int(val.sum())} cuts", flush=True)
    X = torch.from_numpy(cuts).permute(0, 3, 1, 2).float() / 255
    Y = torch.from_numpy(y)
    net = Verifier(a.width)
    opt = torch.optim.AdamW(net.parameters(), a.lr, weight_decay=1e-4)
    steps = max(1, epochs * ((len(train_idx) + 63) // 64))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=steps)
    t0 = time.time()
    for epoch in range(1, epochs + 1):
        net.train()
        np.random.shuffle(train_idx)
        total = 0.0
        for b in range(0, len(train_idx), 64):
            j = torch.from_numpy(train_idx[b:b + 64])
            if len(j) < 2:
                continue  # BatchNorm needs two
            loss = F.binary_cross_entropy_with_logits(net(augment(X[j])), Y[j], weight=1 + (a.neg_weight - 1) * (1 - Y[j]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(j)
        el = time.time() - t0
        print(f"epoch {epoch}/{epochs}  loss {total / max(1, len(train_idx)):.4f}  elapsed {el:.0f}s  "
              f"left ~{el / epoch * (epochs - epoch):.0f}s", flush=True)
    net.eval()
    with torch.no_grad():
        P = torch.cat([torch.sigmoid(net(X[b:b + 512])) for b in range(0, len(X), 512)] or [torch.zeros(0)]).numpy()
    det = rows[:, 2]
    both = np.sqrt(det * P)
    pos = val & (rows[:, 1] == 1)
    neg = val & (rows[:, 1] == 0)
    points = []
    for th in (0.4, 0.5, 0.6, 0.7):
        fp = int((det[neg] >= th).sum())
        # the verifier's and both's thresholds that let as many false ones through as the detector's does
        row = {"detector_threshold": th, "false": fp, "kept": {"detector": int((det[pos] >= th).sum())}}
        for name, s in (("verifier", P), ("both", both)):
            ranked = np.sort(s[neg])[::-1]
            cut_at = ranked[fp] if fp < len(ranked) else -1.0
            row["kept"][name] = int((s[pos] > cut_at).sum())
        points.append(row)
    metrics = {
        "class": a.cls, "validation": {"real": int(pos.sum()), "false": int(neg.sum())},
        "auc": {"detector": auc(det[pos], det[neg]), "verifier": auc(P[pos], P[neg]),
                "both": auc(both[pos], both[neg])},
        "at_the_detectors_false_alarms": points,
        "train": {"real": int(y[train_idx].sum()), "false": int((1 - y[train_idx]).sum())},
        "data": [os.path.basename(os.path.normpath(d)) for d in a.data], "cut": a.cut, "min_score": a.min_score,
        "epochs": epochs, "neg_weight": a.neg_weight, "seed": a.seed, "smoke": a.smoke,
        "seconds": round(time.time() - start, 1),
    }
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(Export(net).eval(), torch.zeros(1, 3, a.cut, a.cut), onnx_path, opset_version=17,
                      input_names=["images"], output_names=["score"])
    vcard = {
        "name": f"{card['name']}-{folder}", "version": time.strftime("%Y.%m.%d"), "task": "classify",
        "description": f"Second look at each {a.cls} that {card['name']} {card['version']} finds: a {a.cut} x {a.cut} "
                       f"pixel cut around it, scored 0..1. Trained on {metrics['train']['real']} real and "
                       f"{metrics['train']['false']} false {a.cls} cuts mined with that model from "
                       f"{', '.join(metrics['data'][:-a.val] if len(a.data) > a.val else metrics['data'])}.",
        "input": {"width": a.cut, "height": a.cut, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": True, "padValue": card["input"].get("padValue", 114)},
        "classes": [a.cls], "confidence": 0.0, "decoder": "tile",
        "tiles": {"cols": 1, "rows": 1, "activation": "none"}, "maxDetections": 1,
        "sha256": hashlib.sha256(open(onnx_path, "rb").read()).hexdigest(),
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(vcard, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    torch.save({"state_dict": net.state_dict(), "cut": a.cut, "class": a.cls, "width": a.width}, os.path.join(out, "model.pt"))
    if a.attach:
        path = os.path.join(a.detector, "model.json")
        detector_card = json.load(open(path))
        detector_card.setdefault("decision", {}).setdefault("verify", {})[a.cls] = os.path.basename(os.path.normpath(out))
        with open(path, "w") as f:
            json.dump(detector_card, f, indent=2)
            f.write("\n")
        print(f"attached: {path} decision.verify.{a.cls} = {os.path.basename(os.path.normpath(out))}")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), model.json, metrics.json, model.pt")
    print(json.dumps({"auc": metrics["auc"], "validation": metrics["validation"]}))


if __name__ == "__main__":
    main()
