"""Delivery that holds: what every messenger channel shares between webhook and platform API.

``receiver`` records an update before the platform gets its 2xx and finishes it after a crash;
``outbox`` sends replies under shared rate limits with retries, never twice; ``ratelimit`` is
the limiter all server processes share; ``channel`` is what each platform adapter provides.
"""
