"""Geometry types shared by the image stages: boxes, quadrilaterals, ruled lines, cells, grids.

They describe where things are, never what they say; the result types of the document live in
`boardsnap.document`. Coordinates are pixels, x to the right, y down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Quad:
    """Four corners, ordered top-left, top-right, bottom-right, bottom-left."""

    points: tuple[tuple[float, float], ...]

    @classmethod
    def from_array(cls, pts: np.ndarray) -> Quad:
        pts = np.asarray(pts, dtype=np.float64).reshape(4, 2)
        s = pts.sum(axis=1)
        d = pts[:, 1] - pts[:, 0]
        ordered = [pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]]
        return cls(tuple((float(x), float(y)) for x, y in ordered))

    def array(self) -> np.ndarray:
        return np.array(self.points, dtype=np.float32)

    def area(self) -> float:
        x, y = self.array().T
        return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)

    def size(self) -> tuple[float, float]:
        """Mean width and height."""
        p = self.array()
        w = (np.linalg.norm(p[1] - p[0]) + np.linalg.norm(p[2] - p[3])) / 2
        h = (np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2
        return float(w), float(h)


@dataclass(frozen=True)
class RuledLine:
    """A hand-drawn table line, as sampled points (x, y) along it."""

    orientation: str  # "h" or "v"
    points: tuple[tuple[float, float], ...]

    def position(self) -> float:
        """Mean y of a horizontal line, mean x of a vertical one."""
        axis = 1 if self.orientation == "h" else 0
        return float(np.mean([p[axis] for p in self.points]))

    def span(self) -> tuple[float, float]:
        """Where the line starts and ends along its direction (x of a horizontal line)."""
        axis = 0 if self.orientation == "h" else 1
        vals = [p[axis] for p in self.points]
        return min(vals), max(vals)

    def at(self, t: float) -> float:
        """The line's y at x=t (horizontal) or x at y=t (vertical), interpolated."""
        pts = sorted(self.points, key=lambda p: p[0] if self.orientation == "h" else p[1])
        along = [p[0] if self.orientation == "h" else p[1] for p in pts]
        across = [p[1] if self.orientation == "h" else p[0] for p in pts]
        return float(np.interp(t, along, across))


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    box: Box  # the crop inside the cell's lines, on the rectified board


@dataclass(frozen=True)
class Grid:
    """A table as rows x columns of cells (row 0 is usually the header)."""

    rows: int
    cols: int
    cells: tuple[Cell, ...]
    bbox: Box
    h_lines: tuple[RuledLine, ...] = ()
    v_lines: tuple[RuledLine, ...] = ()
    # "first", "last": a column taken beyond the outermost column line, where writing stood
    # but no rule was found (reading/grid_columns.py)
    outer: tuple[str, ...] = ()

    def cell(self, row: int, col: int) -> Cell:
        return self.cells[row * self.cols + col]
