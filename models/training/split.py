#!/usr/bin/python3
"""Split a flat YOLO-format folder into images/{train,val} + labels/{train,val}, stratified by class.

    /usr/bin/python3 models/training/split.py --data SRC --out DST [--val-per-class 2 | --val-fraction 0.2] [--seed 0]

Images are grouped by the first class of their label file (images without labels form their own group); from each
group --val-per-class images (or --val-fraction of them, at least one) go to val, chosen by --seed. Files are
symbolic links to SRC (use --copy to copy them). data.yaml is copied with train/val pointing at the new folders.
The chosen validation files are printed, so the split can be stated and reproduced. Both train.py and
`winnow-agent eval --split val` then use the same split.
"""
import argparse
import os
import random
import shutil
import sys

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--val-per-class", type=int, default=None)
    ap.add_argument("--val-fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--copy", action="store_true")
    a = ap.parse_args()

    src = os.path.abspath(a.data)
    images = []
    for d, _, files in os.walk(os.path.join(src, "images")):
        images += [os.path.join(d, f) for f in files if f.lower().endswith(IMAGE_EXT)]
    images.sort()
    if not images:
        sys.exit(f"no images under {src}/images")
    groups = {}
    for img in images:
        rel = os.path.relpath(img, os.path.join(src, "images"))
        label = os.path.join(src, "labels", os.path.splitext(rel)[0] + ".txt")
        first = None
        if os.path.exists(label):
            rows = [r.split() for r in open(label) if r.strip()]
            first = rows[0][0] if rows else None
        groups.setdefault(first, []).append((img, label if os.path.exists(label) else None))
    rng = random.Random(a.seed)
    val = set()
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        members = groups[key]
        rng.shuffle(members)
        n = a.val_per_class if a.val_per_class is not None else max(1, round(len(members) * a.val_fraction))
        val.update(img for img, _ in members[:min(n, len(members) - 1)])
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit(f"{a.out} is not empty")
    put = shutil.copyfile if a.copy else (lambda s, d: os.symlink(s, d))
    for split in ("train", "val"):
        os.makedirs(os.path.join(a.out, "images", split), exist_ok=True)
        os.makedirs(os.path.join(a.out, "labels", split), exist_ok=True)
    for key, members in groups.items():
        for img, label in members:
            split = "val" if img in val else "train"
            put(img, os.path.join(a.out, "images", split, os.path.basename(img)))
            if label:
                put(label, os.path.join(a.out, "labels", split, os.path.basename(label)))
    lines = [l for l in open(os.path.join(src, "data.yaml")).read().splitlines()
             if not l.startswith(("train:", "val:", "test:", "path:"))]
    with open(os.path.join(a.out, "data.yaml"), "w") as f:
        f.write(f"# split of {src} by models/training/split.py (seed {a.seed})\n")
        f.write("train: images/train\nval: images/val\n")
        f.write("\n".join(lines) + "\n")
    print(f"{len(images) - len(val)} train / {len(val)} val images; val:")
    for img in sorted(val):
        print("  " + os.path.basename(img))


if __name__ == "__main__":
    main()
