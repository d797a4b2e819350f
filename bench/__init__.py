"""`make bench`: how long a refresh takes, and how much memory, against the least work possible."""
