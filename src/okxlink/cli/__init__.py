"""The thin command-line layer: parse, call the core, render. All terminal I/O lives here."""
