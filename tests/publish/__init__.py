"""Publishing (etl/publish.py, site.py, redact.py): the targets, redaction, what a bundle holds."""
