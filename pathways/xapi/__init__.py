"""The xAPI 1.0.3 Learning Record Store and the projection of statements into records."""
