"""Limits shared by every app. Pure Python, so the pure domain modules may use them too."""

# A client code is what staff dial after the marker: 1 to 10 digits.
CODE_MAX_LENGTH = 10
