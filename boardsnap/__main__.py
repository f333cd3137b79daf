"""`python -m boardsnap`: the `boardsnap` command."""

from boardsnap.cli import main

main()
