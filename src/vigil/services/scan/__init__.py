"""``vigil scan``: ``run`` scores a file into a file without a workspace; ``read`` reads
its input."""
