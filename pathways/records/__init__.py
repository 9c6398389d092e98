"""The learner's record: module progress, awards, PLAR assessments."""
