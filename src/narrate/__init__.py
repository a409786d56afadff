"""narrate: prose fiction in, a multi-voice audiobook out (see ARCHITECTURE.md)."""

__version__ = "0.1.0"
