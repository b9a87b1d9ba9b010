"""Renderers and exporters: turn review data into diagrams, tables and files."""
