"""The pure stacking core: rules, achievements, evaluation, planning, catalog checks. Standard library only."""
