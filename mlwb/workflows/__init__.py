"""Workflows: one module per command's core, each returning plain results."""
