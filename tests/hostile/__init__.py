"""Hostile input: damaged archives, the corpus, killed builds, random tweets, fuzzed routes."""
