"""The site in headless Chromium (tests using the `browser` fixture are marked `browser`)."""
