"""Memory from conversation: explicit phrasings ("retiens que…") and statements worth remembering."""
