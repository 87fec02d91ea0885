"""The specialists\x27 web console: sign-in, pages, JSON API and live events, under /console."""
