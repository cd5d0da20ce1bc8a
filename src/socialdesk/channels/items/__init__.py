"""Items as they come from outside (a network, a webhook, a file): read, cleaned, checked."""
