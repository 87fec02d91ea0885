"""WhatsApp and SMS through Twilio: signed form webhooks in, the Messages API out."""
