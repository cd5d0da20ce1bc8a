"""Settings for the crash tests' worker processes: the product's, with short leases and a
local Mastodon peer allowed (the tests start it on 127.0.0.1)."""

from socialdesk.settings import *  # noqa: F403

FEED_ADDRESS_POLICY = "socialdesk.channels.tests.mastodon_peer.loopback_only"
SEND_LEASE_SECONDS = 1
CHANNEL_CLAIM_SECONDS = 1
CHANNEL_TIMEOUT_SECONDS = 5
