"""Live updates (Server-Sent Events) and the facilitator's projector view."""
