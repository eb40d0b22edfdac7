"""Reading specs: discovery of spec files and the line-preserving YAML loader."""

from manifestgen.source.discover import discover_spec_files
from manifestgen.source.loader import SourceDocument, load_source

__all__ = ["SourceDocument", "discover_spec_files", "load_source"]
