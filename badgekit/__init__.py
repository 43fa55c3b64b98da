"""badgekit: an offline-first toolkit for Open Badges 3.0.

The library never prints, prompts, exits or touches the network; the command line lives in
:mod:`badgekit.cli`. Public modules: ``keys``, ``did``, ``jsonld``, ``proof``, ``errors``.
"""

__version__ = "0.1.0"
