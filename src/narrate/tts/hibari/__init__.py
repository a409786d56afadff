"""hibari-tts: a small neural voice whose model ships inside its wheel (the ``neural`` extra)."""
