"""Reading a photo: load it, find the board, find the grid, OCR the cells, parse and judge the
values, look again where unsure.
"""
