"""espeak-ng, narrate's own engine.

``library``: ctypes bindings to libespeak-ng; ``driver``: the in-memory pyttsx3
driver; ``synth``: the synthesizer; ``voices``: its voice list and casting
taste; ``engine``: all of it behind the Engine Protocol.
"""
