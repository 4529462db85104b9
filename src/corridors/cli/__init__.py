"""Command-line interface: thin commands over the analytics core."""
