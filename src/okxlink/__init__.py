"""okxlink: set up, verify and link an OKX API key for copy trading."""

__version__ = "0.1.0"
