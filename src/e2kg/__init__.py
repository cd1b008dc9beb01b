"""e2kg: a knowledge graph of research on Enterprise 2.0 / Social Business adoption, and its service."""

__version__ = "0.1.0"
