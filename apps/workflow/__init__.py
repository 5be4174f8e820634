"""Declarative workflows: a table of transitions per workflow and the one engine that runs them."""
