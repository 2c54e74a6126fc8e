"""The site (tweet_site/), in process: its pages, queries, limits and package shape."""
