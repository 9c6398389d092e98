"""Stacking rules per occupation, their evaluation for learners, and learner pathways."""
