"""Realist's version: one place, read by the package build (pyproject's dynamic version) and
by ``realist --version`` without looking the installed package up (which costs a
noticeable part of the command's start-up)."""

__version__ = "0.1.0"
