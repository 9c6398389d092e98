"""The pages of each role, over the other packages' services and queries."""
