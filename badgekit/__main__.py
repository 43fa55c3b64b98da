"""``python -m badgekit``: the same command line as the ``badgekit`` console script."""

from badgekit.cli import main

main()
