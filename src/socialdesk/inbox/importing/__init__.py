"""Import of conversation history from files (twcs CSV, mapped CSV, JSON Lines)."""
