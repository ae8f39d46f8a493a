"""The Souvenir application: settings, wiring and the command-line entry points."""
