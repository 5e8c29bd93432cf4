"""Result tables and exporters."""

from .atomic import atomic_path, write_bytes, write_text
from .csv import write_csv

__all__ = ["atomic_path", "write_bytes", "write_csv", "write_text"]
