#!/usr/bin/python3
"""Generates the tiny ONNX graphs the Java tests load, so the tests need no Python.

Run from this folder with Debian's python3-onnx (1.12):  /usr/bin/python3 make_test_models.py
Each graph is a simple, hand-checkable function of the input; see the comments per model.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]


def save(folder, graph, card):
    os.makedirs(folder, exist_ok=True)
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="winnow-test")
    model.ir_version = 8  # readable by every ONNX Runtime >= 1.10
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


def const(name, array):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(array, name + "_v"))


def yolo_tiny(folder="yolo-tiny", extra=None):
    """Input images [batch,3,64,64] (dynamic batch). Output output0 [1, 6, 8]: 2 classes, 8 anchors.

    Boxes are constants (cx, cy, w, h in input pixels). Scores: class 0 = weight * mean(plane 0),
    class 1 = weight * mean(plane 2). With colourOrder rgb and scale 1/255 a pure red frame gives
    plane-0 mean 1 and plane-2 mean 0, a pure blue frame the reverse.
      anchor 0: box (16,16,8,8)  class-0 weight 0.9
      anchor 1: box (40,40,10,10) class-1 weight 0.9
      anchor 2: box (17,16,8,8)  class-0 weight 0.8  (IoU 0.78 with anchor 0: NMS removes it)
      anchor 3: box (50,10,6,6)  class-0 weight 0.1  (below the 0.25 threshold)
    """
    n = 8
    boxes = np.zeros((1, 4, n), np.float32)
    for a, (cx, cy, w, h) in enumerate([(16, 16, 8, 8), (40, 40, 10, 10), (17, 16, 8, 8), (50, 10, 6, 6)]):
        boxes[0, :, a] = (cx, cy, w, h)
    boxes[0, :, 4:] = (5, 5, 2, 2)
    weights = np.zeros((1, 2, n), np.float32)
    weights[0, 0, 0] = 0.9
    weights[0, 1, 1] = 0.9
    weights[0, 0, 2] = 0.8
    weights[0, 0, 3] = 0.1
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["means"], axes=[2, 3], keepdims=0),  # [b,3]
        const("idx", np.array([0, 2], np.int64)),
        helper.make_node("Gather", ["means", "idx"], ["sel"], axis=1),  # [b,2]
        const("uaxes", np.array([2], np.int64)),
        helper.make_node("Unsqueeze", ["sel", "uaxes"], ["sel3"]),  # [b,2,1]
        const("weights", weights),
        helper.make_node("Mul", ["sel3", "weights"], ["scores"]),  # [1,2,n]
        const("boxes", boxes),
        helper.make_node("Concat", ["boxes", "scores"], ["output0"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "yolo_tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 64, 64])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, "anchors"])])
    card = {
        "name": "yolo-tiny", "version": "1.0.0", "task": "detect",
        "description": "test graph: constant boxes, scores from channel means",
        "input": {"width": 64, "height": 64, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": True, "padValue": 114},
        "classes": ["plastic_film", "pp_twine"], "confidence": 0.25,
        "nmsIou": 0.45, "decoder": "yolo", "maxDetections": 100,
        **(extra if extra is not None else {"decision": {"minMeanConfidence": {"pp_twine": 0.65}}}),
    }
    save(folder, graph, card)


def yolo_verified():
    """yolo-tiny whose pp_twine detections get a second look (decision.verify) from twine-check: input
    [1,3,8,8], output score [1,1] = mean of plane 1 (green, colourOrder rgb, scale 1/255). An 8x8 cut centred on
    the twine box (40,40) is green only where the frame is: the twine's confidence becomes sqrt(0.9 * green share).
    """
    yolo_tiny("yolo-verified", {"decision": {"verify": {"pp_twine": "twine-check"}}})
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["means"], axes=[2, 3], keepdims=0),  # [1,3]
        const("idx", np.array([1], np.int64)),
        helper.make_node("Gather", ["means", "idx"], ["score"], axis=1),  # [1,1]
    ]
    graph = helper.make_graph(
        nodes, "twine_check",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [1, 1])])
    card = {
        "name": "twine-check", "version": "1.0.0", "task": "classify",
        "description": "test graph: the green share of an 8x8 cut",
        "input": {"width": 8, "height": 8, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": True, "padValue": 114},
        "classes": ["pp_twine"], "decoder": "tile", "tiles": {"cols": 1, "rows": 1, "activation": "none"},
        "maxDetections": 1,
    }
    save("yolo-verified/twine-check", graph, card)


def yolo_coco_shape():
    """A graph shaped like a stock 80-class COCO YOLOv8 export: output0 [1, 84, 8400], constant 0.
    Its card lists 6 classes, so loading must fail with ModelMismatchException."""
    nodes = [
        const("zero", np.array(0.0, np.float32)),
        const("shape", np.array([1, 84, 8400], np.int64)),
        helper.make_node("Expand", ["zero", "shape"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes, "yolo_coco_shape",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 84, 8400])])
    card = {
        "name": "cotton-mismatch", "version": "1.0.0", "task": "detect",
        "input": {"width": 64, "height": 64, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": True},
        "classes": ["plastic_film", "pp_twine", "straw", "string", "feather", "coloured_fibre"],
        "decoder": "yolo",
    }
    save("yolo-mismatch", graph, card)


def class_map_tiny():
    """Input [1,3,32,32] -> AveragePool 4x4/4 -> [1,3,8,8] -> 1x1 Conv -> logits [1,2,8,8].
    Background logit = 0; class logit = 4*plane0 - 4*plane2 - 1. Red cells (R=1,B=0) give 3 > 0 (class),
    black cells give -1 < 0 (background)."""
    w = np.array([[[[0.0]], [[0.0]], [[0.0]]], [[[4.0]], [[0.0]], [[-4.0]]]], np.float32)  # [2,3,1,1]
    b = np.array([0.0, -1.0], np.float32)
    nodes = [
        helper.make_node("AveragePool", ["images"], ["pooled"], kernel_shape=[4, 4], strides=[4, 4]),
        const("W", w),
        const("B", b),
        helper.make_node("Conv", ["pooled", "W", "B"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "class_map_tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2, 8, 8])])
    card = {
        "name": "segment-tiny", "version": "1.0.0", "task": "segment",
        "input": {"width": 32, "height": 32, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                  "letterbox": False, "resize": "nearest"},
        "classes": ["plastic_film"], "confidence": 0.5, "decoder": "class-map",
        "classMap": {"connectivity": 4, "minArea": 2},
    }
    save("segment-tiny", graph, card)


if __name__ == "__main__":
    yolo_tiny()
    yolo_coco_shape()
    class_map_tiny()
    yolo_verified()
