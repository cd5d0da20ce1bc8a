"""Our own word and phrase lists (data only); the modules of `insights` compile and apply them.

- `needs_reply`: the phrases of `insights.needs_reply` (requests, questions, waiting,
  complaints, and what is removed before the rules run).
- `sentiment`: the positive and negative words, negators and emoji of
  `insights.sentiment.lexicon_sentiment`.
"""
