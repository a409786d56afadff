"""The voice mapper: every speaker of a Script gets a Voice, from voices.yaml or cast automatically."""
