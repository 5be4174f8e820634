"""`make bench`: Tierflow measured against physical baselines in the same run. See README.md."""
