"""banno-migrate: find and fix legacy Banno OAuth/OIDC usage."""

__version__ = "0.1.0"
