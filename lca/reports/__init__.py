"""Result views, exporters (CSV, XLSX, JSON, Markdown, HTML) and results folders."""

from .atomic import atomic_path, write_text

__all__ = ["atomic_path", "write_text"]
