"""Bundled data files (USDA SR28); see README.md."""
