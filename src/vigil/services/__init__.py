"""Use cases that own transactions. The CLI and web call these; they do the I/O."""
