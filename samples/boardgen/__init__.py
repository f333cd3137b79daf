"""Helpers of samples/generate.py: board content and truth (content), handwriting and hand-drawn
strokes (ink), the board and its frame (board), and the phone photo around it (photo)."""
