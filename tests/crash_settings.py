"""Settings for the crash tests' worker processes: the product's, with short leases and a
local Mastodon peer allowed (the tests start it on 127.0.0.1).

CRASH_CHANNEL_CLAIM_SECONDS=default keeps the product's channel claim (the takeover test).
"""

import os

from socialdesk.settings import *  # noqa: F403

FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
SEND_LEASE_SECONDS = 1
CHANNEL_TIMEOUT_SECONDS = 5
if os.environ.get("CRASH_CHANNEL_CLAIM_SECONDS", "1") != "default":
    CHANNEL_CLAIM_SECONDS = float(os.environ.get("CRASH_CHANNEL_CLAIM_SECONDS", "1"))
