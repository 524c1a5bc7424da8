"""Pure identity rules: no I/O beyond reading data files shipped in the package."""
