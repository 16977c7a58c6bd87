"""The debrief: what a closed discussion came to, for the facilitator and the group."""
