"""The voice mapper: every speaker of a Script gets a Voice, from voices.yaml or cast automatically.

``casting`` picks the voices through the Engine Protocol alone; ``voices`` loads
voices.yaml for an engine and checks its voice ids; ``report`` is what
`narrate cast` prints; ``starter`` writes a starter voices.yaml (``--write``).
"""
