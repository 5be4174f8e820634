"""`make bench`: Tierflow measured against physical baselines in the same run (issue 8). See README.md."""
