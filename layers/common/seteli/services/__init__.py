"""Use cases: orchestrate rules, repositories and adapters. They take their repositories as arguments."""
