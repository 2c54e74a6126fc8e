"""The build (etl/): readers, dates, entities, merging, the schema, summaries, indexes, the CLI."""
