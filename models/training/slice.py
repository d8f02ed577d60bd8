#!/usr/bin/python3
"""Link the images of an exported dataset whose conditions match an expression into a dataset of their own, to
evaluate a model on one condition at a time (winnow-agent eval --model DIR --data OUT).

    /usr/bin/python3 models/training/slice.py --data hr-test --out light-belts "max(r, g, b) >= 150"
    /usr/bin/python3 models/training/slice.py --data hr-test --out line-like \\
        "near('#A83CA8', 12) and motion_px < 4"

DATA is a folder written by `winnow-agent export-dataset` (it has conditions.csv). The expression is Python over the
columns of conditions.csv (numbers as numbers; scenario, split, image and belt_colour as text), plus r, g, b (the
belt colour's channels) and near(colour, levels): the belt is within that many levels of the colour on each channel.
OUT gets data.yaml and images/, labels/ and ignore/ under val/ as links to DATA's files (nothing is copied), and a
conditions.csv of its own rows.
"""
import argparse
import csv
import os
import sys

TEXT = ("split", "image", "scenario", "belt_colour")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("where", help="Python expression over the columns of conditions.csv")
    a = ap.parse_args()
    conditions = os.path.join(a.data, "conditions.csv")
    if not os.path.isfile(conditions):
        sys.exit(f"{conditions} not found: export the dataset again with this version of export-dataset")
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit(f"--out {a.out} is not empty")
    rows = list(csv.DictReader(open(conditions, newline="")))
    try:
        code = compile(a.where, "where", "eval")
    except SyntaxError as e:
        sys.exit(f"the expression is not Python: {e.msg} at column {e.offset}: {a.where}")
    chosen = []
    for row in rows:
        env = {k: (v if k in TEXT else float(v)) for k, v in row.items()}
        rgb = int(row["belt_colour"][1:], 16)
        env.update(r=rgb >> 16, g=(rgb >> 8) & 255, b=rgb & 255)
        env["near"] = lambda colour, levels, rgb=rgb: all(
            abs(((rgb >> s) & 255) - ((int(colour.lstrip("#"), 16) >> s) & 255)) <= levels for s in (16, 8, 0))
        try:
            keep = eval(code, {"__builtins__": {"abs": abs, "min": min, "max": max}}, env)
        except NameError as e:
            sys.exit(f"{e}; the columns are: {', '.join(rows[0].keys())}, r, g, b, near(colour, levels)")
        if keep:
            chosen.append(row)
    for sub in ("images", "labels", "ignore"):
        os.makedirs(os.path.join(a.out, sub, "val"), exist_ok=True)
    os.symlink(os.path.abspath(os.path.join(a.data, "data.yaml")), os.path.join(a.out, "data.yaml"))
    for row in chosen:
        stem = os.path.splitext(row["image"])[0]
        for sub, name in (("images", row["image"]), ("labels", stem + ".txt"), ("ignore", stem + ".txt")):
            src = os.path.abspath(os.path.join(a.data, sub, row["split"], name))
            if os.path.exists(src):
                os.symlink(src, os.path.join(a.out, sub, "val", name))
    # The slice's own conditions.csv (every image now under val/), so `eval --by-condition` works on it too.
    with open(os.path.join(a.out, "conditions.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for row in chosen:
            w.writerow(dict(row, split="val"))
    print(f"{len(chosen)} of {len(rows)} images in {a.out}")


if __name__ == "__main__":
    main()
