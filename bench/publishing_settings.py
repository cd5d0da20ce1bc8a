"""The worker's settings in `bench_publishing.py`: the product's, with the local peer allowed."""

from socialdesk.settings import *  # noqa: F403

FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
