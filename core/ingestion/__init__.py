"""Turning files into memories: parsing by type and sentence-aware chunking."""
