"""The models of `spaces`: rooms, their posts and their files."""

from .attachment_models import Attachment, AttachmentBlob
from .post_models import REACTIONS, MentionDigest, PostMention, Reaction, RoomPost
from .room_models import Room, RoomMembership

__all__ = [
    "REACTIONS",
    "Attachment",
    "AttachmentBlob",
    "MentionDigest",
    "PostMention",
    "Reaction",
    "Room",
    "RoomMembership",
    "RoomPost",
]
