"""Outbound webhooks: a team's endpoints, the events they asked for, signed deliveries sent by
the worker with retries (docs/webhooks.md)."""
