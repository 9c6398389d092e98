"""The pure stacking core: rules, achievements, evaluation, planning, catalog checks.

Standard library only: the stacking service loads rules and achievements and calls in.
"""
