"""I/O: landing files, Delta tables and DuckDB views in; typed frames, partition writes and
event-time hour keys out. Every other step reads and writes through here.
"""
