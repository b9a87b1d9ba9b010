"""`python -m realist` runs the command line."""

from realist.cli import main

main()
