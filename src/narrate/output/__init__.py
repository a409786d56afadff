"""What is written beside the audio and into it: formats, tags, transcripts, playlist, inspection."""
