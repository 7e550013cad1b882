"""Unit tests: mirror src/dltheory (core/, engine/, science/, figures/, tools/). Pytest puts this
folder on sys.path (the conftest's own), so every test imports the shared helpers in shipped.py."""
