#!/usr/bin/python3
"""Make an 8-bit copy of a model folder: the same card and classes, about half the time a frame on CPUs with 8-bit
dot-product instructions (x86 AVX-512 VNNI or AVX-VNNI, ARMv8.2 dot product as on the Raspberry Pi 5).

    /usr/bin/python3 models/training/quantize.py --model models/cotton-colour --data DATASET --out DIR \\
        [--frames 256] [--seed 1] [--float-convs 3] [--version V] [--agent "java -jar edge-agent/target/winnow-agent.jar"]

Steps, each with progress:
1. calibrate: a copy of the graph whose every tensor is an output runs over --frames images of DATASET (YOLO format,
   its images/train when it has one: use training frames, not the held-out set), pre-processed by the agent's own
   code as on the line (`winnow-agent calibrate`); each tensor's smallest and largest value is kept. The full range,
   not a percentile: clipping the rare large activations at the 0.01 % / 99.99 % quantiles cost the shipped colour
   model 0.018 mAP@0.5 on the line's frames, at 0.1 % / 99.9 % 0.064.
2. quantize: the graph is rewritten in the QDQ form ONNX Runtime fuses into integer kernels: each convolution gets
   int8 weights per output channel and an int32 bias, and each tensor between two quantized convolutions (SiLU,
   residual sums, nearest upsampling) an 8-bit scale from its range. Kept in floating point: the first --float-convs
   convolutions (they see the image at full resolution, where a pale feather differs from cotton by a few levels:
   keeping the colour model's three stem convolutions float gained 0.008 mAP@0.5 on the held-out set for at
   most 0.6 ms a frame) and the head, every convolution after which no other convolution runs, with the box
   decoding after it.
3. write: OUT holds the model folder copied (card, verifier folders, texts) with the new model.onnx, the card's
   version (--version, default the model's with -int8) and sha256 updated, and metrics.json holding `quantization` and the float model's
   figures as `float_model_metrics`. Measure it before shipping it:
   `winnow-agent eval --model OUT --data HELD_OUT` against the float model on the same set.

On a CPU without 8-bit dot-product instructions the copy can be slower than the float model (measured on an AVX2
machine: 18 ms against 13 ms), so keep both and measure on the CPU the line runs on (`winnow-agent bench`).
"""
import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# Between quantized convolutions these run on 8-bit tensors too (QLinearSigmoid, QLinearMul, QLinearAdd; Resize on
# uint8 directly); any other operation stays floating point, with the tensors around it dequantized.
CARRIED = {"Sigmoid", "Mul", "Add", "Resize"}


def fail(msg):
    print(f"quantize.py: {msg}", file=sys.stderr)
    sys.exit(1)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="model folder (model.onnx + model.json), floating point")
    ap.add_argument("--data", required=True, help="YOLO-format folder whose images calibrate the ranges")
    ap.add_argument("--out", required=True, help="folder to write (must not exist or be empty)")
    ap.add_argument("--frames", type=int, default=256, help="calibration frames (default 256)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the frames' draw (default 1)")
    ap.add_argument("--float-convs", type=int, default=3,
                    help="first N convolutions kept floating point (default 3: the shipped networks' stem)")
    ap.add_argument("--version", help="the copy's card version (default: the model's, with -int8)")
    ap.add_argument("--agent", default=os.environ.get("WINNOW_AGENT",
                                                      f"java -jar {REPO}/edge-agent/target/winnow-agent.jar"),
                    help="command that runs winnow-agent (default $WINNOW_AGENT or the built jar)")
    a = ap.parse_args(argv)
    if a.frames < 1:
        fail(f"--frames must be >= 1 but is {a.frames}")
    if a.float_convs < 0:
        fail(f"--float-convs must be >= 0 but is {a.float_convs}")
    for f in ("model.onnx", "model.json"):
        if not os.path.isfile(os.path.join(a.model, f)):
            fail(f"--model {a.model} is not a model folder (no {f})")
    if not os.path.isfile(os.path.join(a.data, "data.yaml")):
        fail(f"--data {a.data} is not a YOLO folder (no data.yaml)")
    if os.path.exists(a.out) and (not os.path.isdir(a.out) or os.listdir(a.out)):
        fail(f"--out {a.out} exists and is not an empty folder")
    return a


def plan(model, float_convs):
    """Which convolutions become integer, and which tensors get a scale. Returns (convs, carried, tensors)."""
    g = model.graph
    inits = {t.name for t in g.initializer}
    if any(n.op_type in ("QuantizeLinear", "DequantizeLinear", "QLinearConv") for n in g.node):
        fail("the model is already quantized (its graph has QuantizeLinear/DequantizeLinear nodes)")
    convs = [n for n in g.node if n.op_type == "Conv"]
    if not convs:
        fail("the graph has no convolutions to quantize")
    for n in convs:
        if n.input[1] not in inits or (len(n.input) > 2 and n.input[2] not in inits):
            fail(f"convolution {n.name or n.output[0]} takes its weights from another node, not a constant")
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def reaches_conv(tensor, seen):
        for c in consumers.get(tensor, []):
            if id(c) in seen:
                continue
            seen.add(id(c))
            if c.op_type == "Conv" or any(reaches_conv(o, seen) for o in c.output):
                return True
        return False

    head = {id(n) for n in convs if not reaches_conv(n.output[0], set())}
    chosen = [n for i, n in enumerate(convs) if i >= float_convs and id(n) not in head]
    if not chosen:
        fail(f"nothing left to quantize: {len(convs)} convolutions, {float_convs} kept float at the start and "
             f"{len(head)} in the head")
    chosen_ids = {id(n) for n in chosen}
    # A carried node runs on 8-bit tensors when it lies between quantized convolutions: downstream of one (so its
    # inputs arrive quantized) and upstream of one (so its output is needed quantized).
    down = set()
    frontier = [o for n in chosen for o in n.output]
    while frontier:
        t = frontier.pop()
        for c in consumers.get(t, []):
            if c.op_type in CARRIED and id(c) not in down:
                down.add(id(c))
                frontier.extend(c.output)
    producers = {o: n for n in g.node for o in n.output}
    up = set()
    frontier = [n.input[0] for n in chosen]
    while frontier:
        t = frontier.pop()
        p = producers.get(t)
        if p is not None and p.op_type in CARRIED and id(p) not in up:
            up.add(id(p))
            frontier.extend(i for i in p.input if i and i not in inits)
    carried = [n for n in g.node if id(n) in down and id(n) in up]
    carried_ids = {id(n) for n in carried}
    tensors = []
    for n in g.node:
        if id(n) in chosen_ids:
            tensors += [n.input[0], n.output[0]]
        elif id(n) in carried_ids:
            tensors += [i for i in n.input if i and i not in inits and producers.get(i) is not None
                        and producers[i].op_type != "Constant"] + [n.output[0]]
    seen = set()
    tensors = [t for t in tensors if not (t in seen or seen.add(t))]
    return chosen, carried, tensors


def calibrate(a, model, tensors, work):
    aug = onnx.ModelProto()
    aug.CopyFrom(model)
    have = {o.name for o in aug.graph.output}
    for t in tensors:
        if t not in have and t != aug.graph.input[0].name:
            aug.graph.output.append(helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None))
    graph = os.path.join(work, "calibration.onnx")
    ranges = os.path.join(work, "ranges.json")
    onnx.save(aug, graph)
    cmd = shlex.split(a.agent) + ["calibrate", "--model", a.model, "--graph", graph, "--data", a.data,
                                  "--frames", str(a.frames), "--seed", str(a.seed), "--out", ranges]
    print(f"1/3 calibrate: {len(tensors)} tensors over {a.frames} frames of {a.data}", flush=True)
    try:
        r = subprocess.run(cmd)
    except FileNotFoundError as e:
        fail(f"cannot run the agent ({e}); build it (./mvnw -q install -DskipTests) or pass --agent")
    if r.returncode != 0:
        fail(f"calibration failed (exit {r.returncode}): {' '.join(cmd[:4])} ...")
    found = json.load(open(ranges))["tensors"]
    found[aug.graph.input[0].name] = None
    missing = [t for t in tensors if t not in found]
    if missing:
        fail(f"calibration measured no range for {missing[0]}")
    return found


def scale_of(lo, hi):
    # uint8, asymmetric; zero must be exact (padding, ReLU-like zeros), so the range always includes it.
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    return np.float32(scale), np.uint8(np.clip(round(-lo / scale), 0, 255))


def quantize(model, chosen, carried, tensors, ranges, card):
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    params = {}
    in_spec = card.get("input", {})
    norm = in_spec.get("normalisation")
    for t in tensors:
        if t == g.input[0].name:
            # the input's range follows from the card: pixels 0..255 through its normalisation
            if norm:
                s, mean, std = norm.get("scale", 1 / 255), norm.get("mean", [0, 0, 0]), norm.get("std", [1, 1, 1])
                vals = [(v * s - m) / d for v in (0, 255) for m, d in zip(mean, std)]
                params[t] = scale_of(min(vals), max(vals))
            else:
                params[t] = scale_of(0.0, 1.0)
        else:
            params[t] = scale_of(ranges[t]["min"], ranges[t]["max"])
    for n in carried:
        if n.op_type == "Sigmoid":
            params[n.output[0]] = (np.float32(1 / 255.0), np.uint8(0))  # its range is (0, 1) by definition
        elif n.op_type == "Resize":
            params[n.output[0]] = params[n.input[0]]  # equal scales let ONNX Runtime resize the bytes directly
    new_inits = list(g.initializer)
    nodes = []

    def const(name, arr):
        new_inits.append(numpy_helper.from_array(arr, name))
        return name

    def qdq(t):
        s, z = params[t]
        const(t + "/scale", np.array(s, np.float32))
        const(t + "/zero", np.array(z, np.uint8))
        nodes.append(helper.make_node("QuantizeLinear", [t, t + "/scale", t + "/zero"], [t + "/q"]))
        nodes.append(helper.make_node("DequantizeLinear", [t + "/q", t + "/scale", t + "/zero"], [t + "/dq"]))

    chosen_ids = {id(n) for n in chosen}
    tset = set(tensors)
    if g.input[0].name in tset:
        qdq(g.input[0].name)
    for n in g.node:
        if id(n) in chosen_ids:
            w = inits[n.input[1]]
            b = inits[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
            sx = float(params[n.input[0]][0])
            # int8 per output channel, symmetric; a channel whose weights are ~0 gets a scale that still holds
            # its bias in int32 (bias scale = input scale * weight scale).
            sw = np.abs(w).reshape(w.shape[0], -1).max(1) / 127.0
            sw = np.maximum(np.maximum(sw, np.abs(b) / (sx * 2 ** 30)), 1e-12).astype(np.float32)
            wq = np.clip(np.round(w / sw.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
            sb = (sw * np.float32(sx)).astype(np.float32)
            bq = np.round(b / sb).astype(np.int32)
            base = n.output[0]
            const(base + "/w", wq), const(base + "/w_scale", sw), const(base + "/w_zero", np.zeros_like(wq[:, 0, 0, 0]))
            const(base + "/b", bq), const(base + "/b_scale", sb), const(base + "/b_zero", np.zeros_like(bq))
            nodes.append(helper.make_node("DequantizeLinear", [base + "/w", base + "/w_scale", base + "/w_zero"],
                                          [base + "/w_dq"], axis=0))
            nodes.append(helper.make_node("DequantizeLinear", [base + "/b", base + "/b_scale", base + "/b_zero"],
                                          [base + "/b_dq"], axis=0))
            conv = helper.make_node("Conv", [n.input[0], base + "/w_dq", base + "/b_dq"], list(n.output), name=n.name)
            conv.attribute.extend(n.attribute)
            nodes.append(conv)
        else:
            nodes.append(n)
        for o in n.output:
            if o in tset:
                qdq(o)
    for n in nodes:
        if n.op_type == "QuantizeLinear":
            continue
        for i, name in enumerate(n.input):
            if name in tset:
                n.input[i] = name + "/dq"
    used = {i for n in nodes for i in n.input}
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(t for t in new_inits if t.name in used)
    onnx.checker.check_model(model)
    return model


def main(argv=None):
    a = parse_args(argv)
    model = onnx.load(os.path.join(a.model, "model.onnx"))
    card = json.load(open(os.path.join(a.model, "model.json")))
    convs_total = sum(1 for n in model.graph.node if n.op_type == "Conv")
    chosen, carried, tensors = plan(model, a.float_convs)
    with tempfile.TemporaryDirectory(prefix="winnow-quantize-") as work:
        ranges = calibrate(a, model, tensors, work)
        print(f"2/3 quantize: {len(chosen)} of {convs_total} convolutions to int8, {len(carried)} operations "
              f"between them on 8-bit tensors", flush=True)
        q = quantize(model, chosen, carried, tensors, ranges, card)
        staged = a.out.rstrip("/") + ".part"
        shutil.rmtree(staged, ignore_errors=True)
        top = os.path.realpath(a.model)  # the verifiers' model.onnx files are copied as they are
        shutil.copytree(a.model, staged, ignore=lambda d, names: ["model.onnx"] if os.path.realpath(d) == top else [])
        onnx.save(q, os.path.join(staged, "model.onnx"))
    digest = hashlib.sha256(open(os.path.join(staged, "model.onnx"), "rb").read()).hexdigest()
    card["version"] = a.version or f"{card['version']}-int8"
    if "sha256" in card:
        card["sha256"] = digest
    with open(os.path.join(staged, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    metrics_path = os.path.join(staged, "metrics.json")
    # The float model's figures stay, labelled as such: the copy's own come from `winnow-agent eval`.
    before = json.load(open(metrics_path)) if os.path.isfile(metrics_path) else None
    metrics = {}
    metrics["quantization"] = {
        "from": a.model.rstrip("/"), "from_sha256": hashlib.sha256(
            open(os.path.join(a.model, "model.onnx"), "rb").read()).hexdigest(),
        "weights": "int8 per output channel", "activations": "uint8 per tensor, calibrated min-max",
        "int8_convolutions": len(chosen), "float_convolutions": convs_total - len(chosen),
        "calibration": {"data": a.data.rstrip("/"), "frames": a.frames, "seed": a.seed},
    }
    if before is not None:
        metrics["float_model_metrics"] = before
    with open(metrics_path, "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    if os.path.isdir(a.out):
        os.rmdir(a.out)
    os.rename(staged, a.out)
    size = os.path.getsize(os.path.join(a.out, "model.onnx"))
    print(f"3/3 wrote {a.out}: model.onnx {size / 1e6:.2f} MB (from "
          f"{os.path.getsize(os.path.join(a.model, 'model.onnx')) / 1e6:.2f} MB); measure it: "
          f"winnow-agent eval --model {a.out} --data HELD_OUT", flush=True)
    print(json.dumps({"out": a.out, "int8_convolutions": len(chosen), "float_convolutions": convs_total - len(chosen),
                      "carried": len(carried), "bytes": size, "sha256": digest}))


if __name__ == "__main__":
    main()
