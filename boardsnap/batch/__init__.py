"""Batches of photos: planning, the manifest, worker processes, the index and progress."""
