"""`python -m boardsnap.cli`: the `boardsnap` command."""

from boardsnap.cli import main

main()
