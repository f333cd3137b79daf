"""The text detector: PP-OCRv6's DBNet (the ONNX file in RapidOCR's wheel), run with ONNX Runtime
on the session `recogniser` keeps for the process, with PaddleOCR's post-processing, over a
region whole or in bands (its memory grows with its input)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from boardsnap.reading.recogniser import model_path, shared_session


class Detector:
    """PP-OCRv6's text detector (DBNet, the ONNX file in RapidOCR's wheel) with PaddleOCR's
    post-processing: the text probability map binarised, each region's smallest rectangle kept
    when its mean probability is high enough, grown by `unclip` (as PaddleOCR's polygon offset
    grows a rectangle)."""

    def __init__(
        self,
        long_side: int,
        path: Path | None = None,
        thresh: float = 0.3,
        box_thresh: float = 0.5,
        unclip: float = 1.6,
        tile_rows: int = 0,
        tile_overlap: int = 128,
    ):
        self._session = shared_session(path or model_path("det"))
        self._input = self._session.get_inputs()[0].name
        self.long_side, self.thresh, self.box_thresh, self.unclip = (
            long_side,
            thresh,
            box_thresh,
            unclip,
        )
        self.tile_rows, self.tile_overlap = tile_rows, tile_overlap

    def quads(self, image: np.ndarray, ratio: float | None = None) -> list[np.ndarray]:
        """The text lines of `image` as quads (4 x 2, clockwise from top left), top to bottom;
        the image is scaled by `ratio` (default: to `long_side` at most) for the model.

        An image more than `tile_rows` model rows high (0: any) is looked at in bands of that
        many rows, `tile_overlap` rows shared by neighbours: the model's memory grows with its
        input (a 720 x 890 input: about 105 MB at its peak). Each band keeps the lines whose
        middle lies in its half of the shared rows, so a line as tall as the overlap is found
        whole in one band and kept once."""
        h, w = image.shape[:2]
        if ratio is None:
            ratio = min(1.0, self.long_side / max(h, w))
        if not self.tile_rows or h * ratio <= self.tile_rows + self.tile_overlap:
            return self._quads(image, ratio)
        tile = int(self.tile_rows / ratio)
        overlap = int(self.tile_overlap / ratio)
        out: list[np.ndarray] = []
        top = 0
        while True:
            bottom = min(h, top + tile)
            if h - bottom < overlap:  # a last band thinner than the overlap: this one goes on
                bottom = h
            core_top = 0 if top == 0 else top + overlap / 2
            core_bottom = h if bottom == h else bottom - overlap / 2
            for q in self._quads(image[top:bottom], ratio):
                q = q + np.array([0, top], np.float32)
                if core_top <= float(q[:, 1].mean()) < core_bottom:
                    out.append(q)
            if bottom == h:
                break
            top = bottom - overlap
        out.sort(key=lambda q: (q[0, 1], q[0, 0]))
        return out

    def _quads(self, image: np.ndarray, ratio: float) -> list[np.ndarray]:
        h, w = image.shape[:2]
        rh = max(32, int(round(int(h * ratio) / 32) * 32))
        rw = max(32, int(round(int(w * ratio) / 32) * 32))
        # a grey image is scaled and normalised once, then given as the model's three channels
        x = cv2.resize(image, (rw, rh)).astype(np.float32) / 127.5 - 1.0
        x = np.repeat(x[np.newaxis], 3, axis=0) if x.ndim == 2 else x.transpose(2, 0, 1)
        x = np.ascontiguousarray(x[np.newaxis], np.float32)
        pred = self._session.run(None, {self._input: x})[0][0, 0]
        mask = cv2.dilate((pred > self.thresh).astype(np.uint8), np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        out = []
        for contour in contours[:1000]:
            (cx, cy), (bw, bh), angle = cv2.minAreaRect(contour)
            if min(bw, bh) < 3:
                continue
            box = cv2.boxPoints(((cx, cy), (bw, bh), angle))
            if _mean_inside(pred, box) < self.box_thresh:
                continue
            d = bw * bh * self.unclip / (2 * (bw + bh))
            if min(bw, bh) + 2 * d < 5:
                continue
            box = cv2.boxPoints(((cx, cy), (bw + 2 * d, bh + 2 * d), angle))
            box[:, 0] = np.clip(np.round(box[:, 0] / rw * w), 0, w - 1)
            box[:, 1] = np.clip(np.round(box[:, 1] / rh * h), 0, h - 1)
            box = _clockwise(box)
            if np.linalg.norm(box[0] - box[1]) <= 3 or np.linalg.norm(box[0] - box[3]) <= 3:
                continue
            out.append(box.astype(np.float32))
        out.sort(key=lambda q: (q[0, 1], q[0, 0]))
        return out


def _mean_inside(pred: np.ndarray, box: np.ndarray) -> float:
    h, w = pred.shape
    x0 = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    cv2.fillPoly(mask, [(box - [x0, y0]).astype(np.int32)], 1)
    return float(cv2.mean(pred[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def _clockwise(pts: np.ndarray) -> np.ndarray:
    by_x = pts[np.argsort(pts[:, 0], kind="stable")]
    left = by_x[:2][np.argsort(by_x[:2, 1], kind="stable")]
    right = by_x[2:][np.argsort(by_x[2:, 1], kind="stable")]
    return np.array([left[0], right[0], right[1], left[1]], np.float32)
