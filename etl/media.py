"""Facts about a media file of an archive: presence, MIME type, size, image dimensions."""

from __future__ import annotations

import io
import posixpath
import re

import imagesize

from tweet_site.core import MEDIA_TYPES, VIDEO_EXTENSIONS, mime_type

from .records import MediaRef
from .sources import Tree

# Enough of an image's head for imagesize to find the dimensions of JPEG/PNG/GIF/WebP.
IMAGE_HEAD_BYTES = 256 * 1024

# Twitter names a GIF's MP4 after its 15-character media key (like photos); real videos get
# a 16-character random name taken from the video variant's URL.
GIF_KEY = re.compile(r"^\d+-[A-Za-z0-9_-]{15}\.mp4$")

# The only files a tweet's media can be are MEDIA_TYPES'. Anything else (.html, .svg, .txt, a
# DM) is never given a path, so it is neither served nor copied into a published bundle.
REFUSED_TYPE = f"only images and videos ({' '.join(e[1:] for e in MEDIA_TYPES)}) are media"
# Markdown media live in the parser's `media/` folder beside the file, or two levels up from
# `tweets-md/YYYY/` (or one from Jekyll's `_posts/`); nothing else, and no `..` after it.
MARKDOWN_MEDIA = re.compile(r"^(?:\./)?(?:\.\./){0,2}media/(?!\.\.?/)[^/]+$")
PRIVATE_FOLDERS = re.compile(r"(?:^|/)(?:dms?|direct[_-]?messages?)(?:[-_ ][^/]*)?/", re.I)


def is_media_file(path: str) -> bool:
    return mime_type(path) is not None


def markdown_refusal(markdown_path: str, ref: str) -> str | None:
    """Why a Markdown media reference may not be read, or None when it may."""
    ref = ref.replace("\\", "/")
    if PRIVATE_FOLDERS.search(ref) or PRIVATE_FOLDERS.search(markdown_path):
        return "refers to direct messages"
    if not MARKDOWN_MEDIA.match(ref):
        return "not in the archive's media folder"
    if not is_media_file(ref):
        return REFUSED_TYPE
    return None


def media_type_for(filename: str, is_video_markup: bool) -> str:
    if not is_video_markup and not filename.lower().endswith(VIDEO_EXTENSIONS):
        return "photo"
    if GIF_KEY.match(posixpath.basename(filename)):
        return "animated_gif"
    return "video"


def describe(tree: Tree, path: str | None, type_: str, url: str | None = None) -> MediaRef:
    """A MediaRef for a root-relative `path`, with file facts filled in when the file exists
    (under the name it is stored by, which may be in another Unicode normalisation form)."""
    filename = posixpath.basename(path) if path else None
    stored = tree.find(path) if path and is_media_file(path) else None
    size = tree.size(stored) if stored and is_media_file(stored) else None
    if size is None:
        return MediaRef(type=type_, path=None, filename=filename, url=url)
    path, filename = stored, posixpath.basename(stored)
    ref = MediaRef(
        type=type_,
        path=path,
        filename=filename,
        url=url,
        mime_type=mime_type(path),
        bytes=size,
    )
    if ref.mime_type and ref.mime_type.startswith("image/"):
        try:
            width, height = imagesize.get(io.BytesIO(tree.read_bytes(path, IMAGE_HEAD_BYTES)))
        except (OSError, ValueError):
            width = height = -1
        if width > 0 and height > 0:
            ref.width, ref.height = width, height
    return ref
