"""Platform adapters: translate platform events into core requests and core replies into messages."""
