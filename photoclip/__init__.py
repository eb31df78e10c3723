"""photoclip: a desktop photo manager that understands what is in your photos."""

__version__ = "0.1.0"
