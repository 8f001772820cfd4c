"""The demo: a fictional national network generated deterministically from a seed.

:func:`build_demo_network` writes it into a workspace; :func:`vigil.demo.generate.generate`
produces the same rows without a database.
"""

from vigil.demo.build import DEFAULT_SEED, DemoNetwork, build_demo_network

__all__ = ["DEFAULT_SEED", "DemoNetwork", "build_demo_network"]
