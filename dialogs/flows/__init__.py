"""One module per flow; ``dialogs.router`` composes them in one place, first match wins."""
