"""BoardSnap: a photo of an SLA review whiteboard in, a compliance report out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("boardsnap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "dev"
