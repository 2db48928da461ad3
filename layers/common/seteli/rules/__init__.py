"""Pure functions: the rules money and access depend on. Nothing here does I/O."""
