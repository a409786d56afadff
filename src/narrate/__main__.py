"""`python -m narrate`: the same command line as `narrate`."""

from narrate.cli import main

main()
