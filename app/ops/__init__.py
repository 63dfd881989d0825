"""The use cases both front ends call (SPEC §6): roles, kill switch, site gate,
reasons and the lock window are checked here, once. No Textual, no SQL."""
