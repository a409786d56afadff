"""The platform's own speech (NSSS on macOS, SAPI 5 on Windows) through pyttsx3."""
